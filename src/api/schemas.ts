import { z } from "zod";
import { ERROR_STATUS, type ErrorCode } from "../common/index.js";
import { AUDIT_ACTIONS } from "../store/index.js";

/**
 * The JSON the API answers with, as schemas: the OpenAPI document is made
 * from them, and a test checks real answers against that document, so a
 * field added to an answer without a line here fails the suite. Objects are
 * strict: a client may rely on the fields listed and on no others.
 */
const time = z.string().meta({ format: "date-time", description: "RFC 3339, UTC", "x-kind": "time" });
const commitId = z.string().regex(/^[0-9a-f]{40}$/).meta({ "x-kind": "commit id" });
const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/).meta({ "x-kind": "id" });

export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]).describe("a code of the error table; collection failures use the same codes as rosarchive_backups_total{result}"),
    message: z.string().describe("what happened and what to do next; never a secret"),
  }),
});

export const healthSchema = z.strictObject({ status: z.literal("ok") });

const deviceError = z.strictObject({ code: z.string().describe("an error code, e.g. auth_failed, host_key_mismatch, timeout"), message: z.string() });

export const deviceSchema = z.strictObject({
  id,
  source: z.string().describe("config, or the inventory source that lists it"),
  site: z.string().describe("the device's site (from the config or its inventory source)"),
  group: id.nullable().describe("the device's folder in the repository, or null"),
  host: z.string(),
  port: z.number().int().min(1).max(65535),
  enabled: z.boolean(),
  path: z.string().describe("the device's file in the tenant repository: <device>.rsc or <group>/<device>.rsc"),
  status: z.enum(["never", "ok", "failing", "blocked", "retired"]),
  retired_at: time.nullable().describe("when the device left the inventory or the config (its file was removed from main)"),
  retired_commit: commitId.nullable().describe("the commit that removed its file"),
  last_attempt: time.nullable(),
  last_success: time.nullable(),
  last_change: time.nullable(),
  last_change_commit: commitId.nullable(),
  last_error: deviceError.nullable().describe("the last failure, kept while the device fails or is blocked"),
  next_run: time.nullable().describe("null while blocked by a host key, or disabled"),
  routeros_version: z.string().nullable(),
  warning: deviceError.nullable().describe("a backup succeeded but something looks wrong, e.g. secrets_missing: the export held no secret where the last one had some"),
});

const severity = z.enum(["info", "warning", "critical"]);

/** A device's policy at a glance (device list and device); null when no check applies. */
export const policySummarySchema = z.strictObject({
  checks: z.number().int().min(0),
  passing: z.number().int().min(0),
  failing: z.number().int().min(0),
  errors: z.number().int().min(0),
  pending: z.number().int().min(0).describe("checks not evaluated yet with their current definition"),
  worst: severity.nullable().describe("the highest severity among the failing checks"),
  failed: z.array(z.strictObject({ name: z.string(), severity })),
  commit: commitId.nullable().describe("the snapshot the results are of"),
});

const withPolicy = { policy: policySummarySchema.nullable().optional().describe("the device's policy checks at a glance (device list and device view); null when none applies") };

export const deviceDetailSchema = deviceSchema.extend({
  host_key: z.string().nullable().describe("the pinned SSH host key, SHA256:... as ssh-keygen -l prints it"),
  presented_host_key: z.string().nullable().describe("while blocked by a host-key mismatch: the key the device presents now"),
});

const stateCount = z.number().int().min(0);
export const deviceListSchema = z.strictObject({
  tenant: id,
  devices: z.array(deviceSchema.extend(withPolicy)),
  next: id.nullable().optional().describe("paged (limit or cursor given): pass as `cursor` for the next page; null on the last one"),
  total: z.number().int().min(0).optional().describe("paged: the devices matching the filters"),
  counts: z
    .strictObject({ active: stateCount, never: stateCount, ok: stateCount, failing: stateCount, blocked: stateCount, retired: stateCount })
    .optional()
    .describe("paged: the whole tenant's devices by state, whatever the filters"),
  groups: z.array(id).optional().describe("paged: every group the tenant's devices use"),
  sites: z.array(id).optional().describe("paged: every site the tenant's devices use"),
});
export const deviceWithPolicySchema = deviceDetailSchema.extend(withPolicy);

const stats = z.strictObject({ added: z.number().int().min(0), removed: z.number().int().min(0) });
/** When more sections changed than are listed (at most 100, the largest): the rest, counted. */
const sectionsOmitted = z
  .strictObject({ sections: z.number().int().min(1), added: z.number().int().min(0), removed: z.number().int().min(0) })
  .optional()
  .describe("present when more sections changed than are listed: the rest, counted");
const approximate = z.literal(true).optional().describe("present when the line diff gave up on the shortest edit script: the counts are of a correct, perhaps longer one");
const sectionCount = z.strictObject({ section: z.string().describe("a RouterOS menu path, e.g. /ip firewall filter"), added: z.number().int().min(0), removed: z.number().int().min(0) });

export const historyEntrySchema = z.strictObject({
  commit: commitId,
  parent: commitId.nullable(),
  time: time.describe("the snapshot's collection time (Collected-At trailer)"),
  trigger: z.enum(["scheduled", "manual", "import", "retire"]).nullable().describe("retire: the commit that removed a retired device's file"),
  routeros_version: z.string().nullable(),
  summary: z.string().describe("the commit subject after `<device>: `"),
  resealed: z.boolean().describe("the commit only re-sealed unchanged values for new recipients (it fired no config.changed)"),
  stats,
  sections: z.array(sectionCount).describe("changed lines counted under the menu path each stands in"),
  sections_omitted: sectionsOmitted,
  approximate,
});

export const timelineEntrySchema = historyEntrySchema.extend({ device: id });

const next = commitId.nullable().describe("pass as `before` for the next page; null on the last page");
export const deviceHistorySchema = z.strictObject({ device: id, entries: z.array(historyEntrySchema), next });
export const tenantHistorySchema = z.strictObject({ tenant: id, entries: z.array(timelineEntrySchema), next });

export const structuredDiffSchema = z.strictObject({
  from: z.string().regex(/^[0-9a-f]{40}$/).describe("a commit, or git's empty tree for a first snapshot"),
  to: commitId,
  stats,
  sections: z.array(z.strictObject({ section: z.string(), added: z.array(z.string()), removed: z.array(z.string()) })),
  truncated: z.literal(true).optional().describe("present when more changed lines than are listed (50,000 or 8 MiB); stats still counts every line"),
  sections_omitted: sectionsOmitted,
  approximate,
});

export const backupAllSchema = z.strictObject({
  scheduled: z.number().int().nonnegative().describe("devices scheduled for a backup now (enabled, not waiting for an admin)"),
  group: z.string().nullable().describe("the group asked for, or null for the whole tenant"),
});

export const backupResultSchema = z.strictObject({
  changed: z.boolean(),
  commit: commitId.nullable().describe("the new commit (201), or the device's newest one when unchanged (200)"),
});

export const auditEntrySchema = z.strictObject({
  time,
  actor: z.string().nullable().describe("the token's name, scheduler or cli; null when nobody was identified (auth.denied)"),
  role: z.enum(["viewer", "operator", "admin"]).nullable(),
  ip: z.string().nullable(),
  action: z.enum(AUDIT_ACTIONS),
  device: id.nullable(),
  details: z.record(z.string(), z.unknown()).describe("facts of the action, e.g. {commit}, {from,to}, {result,commit}, {reason,method,path}; never a secret"),
  prev: z.string().regex(/^[0-9a-f]{64}$/).describe("hash of the entry before (64 zeros for the first)"),
  hash: z.string().regex(/^[0-9a-f]{64}$/).describe("sha256 over prev and this entry's canonical JSON"),
});

const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/).describe("as ssh-keygen -l prints it");
export const hostKeyAcceptBodySchema = z.strictObject({ fingerprint });

export const inventorySourceSchema = z.strictObject({
  name: id,
  type: z.enum(["file", "http", "netbox"]),
  state: z.enum(["never", "ok", "failing", "refused"]).describe("failing: its last good list stays in force; refused: a removal waits for an admin's confirmation"),
  interval: z.string(),
  max_removal: z.string().describe("e.g. 10%"),
  last_sync: time.nullable(),
  last_success: time.nullable(),
  next_sync: time.nullable(),
  result: z.enum(["changed", "unchanged", "not_modified", "refused", "invalid", "failed"]).nullable(),
  last_error: deviceError.nullable(),
  devices: z.number().int().min(0),
  added: z.number().int().min(0),
  removed: z.number().int().min(0),
  changed: z.number().int().min(0),
  skipped_count: z.number().int().min(0),
  skipped: z.array(z.strictObject({ row: z.string(), reason: z.string() })),
  refused_removal: z
    .strictObject({
      devices: z.array(z.string()),
      count: z.number().int().min(0),
      share: z.number(),
      tenant_devices: z.number().int().min(0),
      since: time,
      digest: z.string().regex(/^[0-9a-f]{16}$/),
    })
    .nullable(),
});
export const inventoryPageSchema = z.strictObject({ tenant: id, sources: z.array(inventorySourceSchema) });
export const inventoryConfirmSchema = z.strictObject({ source: id, removed: z.array(z.string()), count: z.number().int().min(0) });

export const collectorsPageSchema = z.strictObject({
  tenant: id,
  remote: z.boolean().describe("false without a nats: block: collection runs in the service, both lists are empty"),
  sites: z.array(z.strictObject({ site: z.string(), devices: z.number().int().min(0), live_collectors: z.number().int().min(0) })),
  collectors: z.array(
    z.strictObject({
      id: z.string(),
      site: z.string(),
      version: z.string(),
      in_flight: z.number().int().min(0),
      concurrency: z.number().int().min(0),
      jobs_done: z.number().int().min(0),
      started_at: time,
      last_seen: time,
      live: z.boolean(),
    }),
  ),
});

const failingLine = z.strictObject({ number: z.number().int().min(1), section: z.string(), text: z.string() });

const searchHit = z.strictObject({
  device: id,
  group: id.nullable(),
  path: z.string(),
  commit: commitId.describe("the device's snapshot holding this version of the file"),
  line: z.number().int().min(1),
  section: z.string().describe("the /menu path the line stands in, from the whole file"),
  text: z.string(),
  text_cut: z.literal(true).optional().describe("present when text was cut"),
});
const moment = z.strictObject({ commit: commitId, time: time.nullable() });
export const searchPageSchema = z.union([
  z.strictObject({
    tenant: id,
    q: z.string(),
    regex: z.boolean(),
    group: id.nullable(),
    history: z.literal(false),
    at: z.string().describe("latest, or the date or time searched at"),
    commit: commitId.nullable().describe("the commit whose tree was searched; null before the first commit at that date"),
    hits: z.array(searchHit),
    next: z.string().nullable().describe("pass as cursor for the next page"),
    truncated: z.boolean().describe("the results were cut: narrow the search to see the rest"),
  }),
  z.strictObject({
    tenant: id,
    q: z.string(),
    regex: z.boolean(),
    group: id.nullable(),
    history: z.literal(true),
    devices: z.array(
      z.strictObject({
        device: id,
        group: id.nullable(),
        path: z.string(),
        versions_searched: z.number().int().min(0),
        versions: z.number().int().min(0),
        spans: z.array(z.strictObject({ text: z.string(), section: z.string(), line: z.number().int().min(1), appeared: moment, disappeared: moment.nullable() })).describe("oldest first: when each matching line appeared and went"),
        spans_cut: z.literal(true).optional(),
      }),
    ),
    next: z.string().nullable(),
    truncated: z.boolean(),
  }),
]);

const compareSide = z.strictObject({ device: id, commit: commitId, path: z.string() });
export const compareSchema = z.strictObject({
  a: compareSide,
  b: compareSide,
  ignored: z.strictObject({ a: z.number().int().min(0), b: z.number().int().min(0), rules: z.number().int().min(0) }).describe("lines left out by the compare ignore rules"),
  sealed_masked: z.strictObject({ a: z.number().int().min(0), b: z.number().int().min(0) }).describe("sealed values masked (between two devices)"),
  stats,
  sections: z.array(z.strictObject({ section: z.string(), added: z.array(z.string()), removed: z.array(z.string()) })),
});

const checkResult = z.strictObject({
  status: z.enum(["pass", "fail", "error", "pending"]),
  severity,
  line: failingLine.nullable().describe("must_not_contain: the first line standing against it"),
  missing: z.string().nullable().describe("must_contain: the first pattern no line matched"),
  message: z.string().optional().describe("status error: why it could not be evaluated"),
});
export const policyPageSchema = z.strictObject({
  tenant: id,
  checks: z.array(
    z.strictObject({
      name: z.string(),
      severity,
      description: z.string().nullable(),
      scope: z.strictObject({ groups: z.array(z.string()).nullable(), sites: z.array(z.string()).nullable(), devices: z.array(z.string()).nullable() }),
      section: z.string().nullable(),
      must_contain: z.array(z.string()),
      must_not_contain: z.array(z.string()),
      devices: z.number().int().min(0),
      passing: z.number().int().min(0),
      failing: z.number().int().min(0),
      errors: z.number().int().min(0),
      pending: z.number().int().min(0),
    }),
  ),
  devices: z.array(z.strictObject({ device: id, group: id.nullable(), commit: commitId.nullable(), evaluated_at: time.nullable(), checks: z.record(z.string(), checkResult).describe("by check name") })),
});
export const policyRunSchema = z.strictObject({
  tenant: id,
  commit: commitId.nullable().describe("the commit of main the files were read at"),
  devices: z.number().int().min(0),
  passing: z.number().int().min(0),
  failing: z.number().int().min(0),
  errors: z.number().int().min(0),
  violated: z.number().int().min(0).describe("checks that started failing in this round (policy.violated events)"),
  resolved: z.number().int().min(0),
});

export const auditPageSchema = z.strictObject({ tenant: id, entries: z.array(auditEntrySchema).describe("newest first") });

/** Named schemas of the document's components. */
export const API_SCHEMAS = {
  Error: errorBodySchema,
  Health: healthSchema,
  Device: deviceSchema,
  DeviceDetail: deviceDetailSchema,
  DeviceList: deviceListSchema,
  HistoryEntry: historyEntrySchema,
  TimelineEntry: timelineEntrySchema,
  DeviceHistory: deviceHistorySchema,
  TenantHistory: tenantHistorySchema,
  StructuredDiff: structuredDiffSchema,
  BackupResult: backupResultSchema,
  BackupAll: backupAllSchema,
  AuditEntry: auditEntrySchema,
  AuditPage: auditPageSchema,
  HostKeyAccept: hostKeyAcceptBodySchema,
  InventorySource: inventorySourceSchema,
  InventoryPage: inventoryPageSchema,
  InventoryConfirm: inventoryConfirmSchema,
  CollectorsPage: collectorsPageSchema,
  DeviceWithPolicy: deviceWithPolicySchema,
  SearchPage: searchPageSchema,
  Compare: compareSchema,
  PolicyPage: policyPageSchema,
  PolicyRun: policyRunSchema,
} as const;

export type ApiSchemaName = keyof typeof API_SCHEMAS;

/** A schema as JSON Schema (draft 2020-12, what OpenAPI 3.1 uses), without the `$schema` line. */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

/** The events of webhooks, hooks (stdin) and the SSE stream: the same JSON everywhere. */
export const configChangedEventSchema = z.strictObject({
  event: z.literal("config.changed"),
  id: z.string().describe("unique per event; the webhook delivery id (X-Rosarchive-Delivery)"),
  tenant: id,
  device: id,
  commit: commitId,
  parent: commitId.nullable(),
  collected_at: time,
  trigger: z.enum(["scheduled", "manual", "import"]),
  routeros_version: z.string(),
  stats,
  sections: z.array(sectionCount),
  sections_omitted: sectionsOmitted,
  approximate,
  links: z.strictObject({ diff: z.string().describe("<public_url>/api/v1/tenants/<t>/devices/<d>/diff?to=<commit>") }),
});

export const deviceEventSchema = z.strictObject({
  event: z.enum(["device.failed", "device.blocked", "device.recovered"]),
  id: z.string(),
  tenant: id,
  device: id,
  time,
  state: z.enum(["ok", "failing", "blocked"]),
  error: deviceError.nullable().describe("null on device.recovered"),
  expected_fingerprint: z.string().optional().describe("host_key_mismatch only: the pinned key"),
  presented_fingerprint: z.string().optional().describe("host_key_mismatch only: the key the device presented"),
});

export const deviceRetiredEventSchema = z.strictObject({
  event: z.literal("device.retired"),
  id: z.string(),
  tenant: id,
  device: id,
  time,
  commit: commitId.describe("the commit that removed the device's file from main; its history stays"),
  parent: commitId.nullable(),
  source: z.string().describe("where the device was listed last: config, or the inventory source's name"),
});

export const inventoryEventSchema = z.strictObject({
  event: z.enum(["inventory.failed", "inventory.recovered", "inventory.removal_refused"]),
  id: z.string(),
  tenant: id,
  source: id,
  time,
  error: deviceError.nullable(),
  removal: z
    .strictObject({ devices: z.array(z.string()).describe("at most 100 ids"), count: z.number().int().min(0), share: z.number(), max_removal: z.number(), digest: z.string() })
    .optional()
    .describe("inventory.removal_refused only: what would go"),
});

export const policyEventSchema = z.strictObject({
  event: z.enum(["policy.violated", "policy.resolved"]),
  id: z.string(),
  tenant: id,
  device: id,
  time,
  check: z.string(),
  severity,
  commit: commitId.describe("the device's snapshot evaluated"),
  line: failingLine.nullable().describe("violated: the line standing against a must_not_contain pattern"),
  missing: z.string().nullable().describe("violated: the must_contain pattern no line matched"),
  links: z.strictObject({ policy: z.string() }),
});

export const EVENT_SCHEMAS = { ConfigChangedEvent: configChangedEventSchema, DeviceEvent: deviceEventSchema, DeviceRetiredEvent: deviceRetiredEventSchema, InventoryEvent: inventoryEventSchema, PolicyEvent: policyEventSchema } as const;
