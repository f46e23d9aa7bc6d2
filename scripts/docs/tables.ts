import { documentedRoutes, EVENT_SCHEMAS, jsonSchemaOf, openApiDocument } from "../../src/api/index.js";
import { ERROR_STATUS, EVENT_NAMES, type ErrorCode, type EventName } from "../../src/common/index.js";
import client from "prom-client";
import { createMetrics, METRIC_NAMES } from "../../src/observe/index.js";
import { collectorMetrics } from "../../src/remote/collector-runtime.js";
import { remoteMetrics } from "../../src/remote/remote-core.js";
import { cell } from "./blocks.js";
import { typeText } from "./config-reference.js";

/** What each error code means to a caller; a code without a line here does not compile. */
export const ERROR_MEANINGS: Record<ErrorCode, string> = {
  bad_parameter: "a parameter or argument is malformed or out of range; the message names it",
  bad_request: "the request itself is malformed (an undecodable URL, a bad body)",
  invalid_input: "input that cannot be used (e.g. an import that is not an export)",
  inventory_invalid: "an inventory source listed something that cannot be used (bad rows, an id twice, colliding paths); its last good list stays",
  unauthorized: "no token, or one no tenant knows (`WWW-Authenticate` says which scheme)",
  forbidden: "the token's role is below what the route needs, or a push to the read-only repository",
  not_found: "no such tenant, device, snapshot or route, or a token of another tenant: one answer for all",
  busy: "a backup of this device is already running",
  conflict: "the state changed underneath (a file archived again during a re-seal) or forbids the action",
  no_identity: "decrypt=true, but the tenant has no identity_file",
  payload_too_large: "the request body is over limits.max_request_body_bytes",
  unsupported_media_type: "a request body sent with a content type the route does not read (send application/json)",
  rate_limited: "more manual backups of the device than limits.manual_backups_per_minute; Retry-After says when to retry",
  credentials_missing: "the service lacks the device's credential source (an unset password_env, a missing file): its own configuration, not the device's",
  auth_failed: "the device refused the credentials; the device is blocked until the credentials change",
  host_key_mismatch: "the device presented another SSH host key than the pinned one; blocked until an admin accepts the new key",
  invalid_output: "the export failed the output check (empty, binary, an error line, a non-zero exit, over max_export_bytes); nothing archived",
  unreachable: "no TCP connection or SSH session (refused, no route, reset)",
  source_failed: "an inventory source answered with an error status or with something its type does not promise",
  no_collector: "remote collection: no live collector serves the device's site (none heard within nats.collector_ttl)",
  timeout: "the device did not answer within schedule.connect_timeout or command_timeout (504); a request body that did not arrive within limits.body_timeout (408)",
  unavailable: "no git process slot is free now (limits.git_processes); Retry-After says when to retry",
  not_implemented: "the part of the service this route needs does not run in this process (live events or policy checks); use the service started by serve",
  config_invalid: "the configuration does not validate (CLI)",
  state_format: "state_dir was written by a newer release, or its FORMAT file is unreadable (CLI, serve start)",
  error: "an unexpected fault of the service; logged with details",
};

/** What each event means; an event without a line here does not compile. */
export const EVENT_MEANINGS: Record<EventName, string> = {
  "config.changed": "a new commit archived a changed configuration (one event per commit; re-seal commits fire none)",
  "device.failed": "a device that was ok or never backed up failed (one event per transition, not per retry)",
  "device.blocked": "a device was blocked: authentication failed, or its host key changed (with both fingerprints)",
  "device.recovered": "a failing or blocked device was backed up again",
  "device.retired": "a device left the inventory or the config file: one commit removed its file from main (its history stays)",
  "inventory.failed": "an inventory source could not be read, or its list was refused as invalid; its last good list stays in force",
  "inventory.recovered": "a failing inventory source was read again",
  "inventory.removal_refused": "a sync would remove more devices than the source's max_removal: nothing is removed until an admin confirms",
  "policy.violated": "a policy check started failing on a device (with the line against it, or the missing pattern)",
  "policy.resolved": "a policy check that failed on a device passes again",
};

export function errorTable(): string {
  return [
    "| code | HTTP status | meaning |",
    "|---|---|---|",
    ...(Object.entries(ERROR_STATUS) as Array<[ErrorCode, number]>).map(([code, status]) => `| \`${code}\` | ${status} | ${cell(ERROR_MEANINGS[code])} |`),
  ].join("\n");
}

export function routeTable(): string {
  const doc = openApiDocument() as { paths: Record<string, Record<string, { summary: string }>> };
  return [
    "| method | path | role | what |",
    "|---|---|---|---|",
    ...documentedRoutes().map((r) => `| ${r.method} | \`${r.path}\` | ${r.role} | ${cell(doc.paths[r.path]![r.method.toLowerCase()]!.summary)} |`),
  ].join("\n");
}

export function eventTable(): string {
  return ["| event | when |", "|---|---|", ...EVENT_NAMES.map((e) => `| \`${e}\` | ${cell(EVENT_MEANINGS[e])} |`)].join("\n");
}

/** Field tables of each event body, from the schemas the OpenAPI document publishes; nested fields as `stats.added`, `sections[].section`. */
export function eventFields(): string {
  type Node = { properties?: Record<string, Node>; required?: string[]; items?: Node; anyOf?: Node[]; description?: string; type?: unknown };
  const objectOf = (n: Node): Node | undefined => (n.properties ? n : n.anyOf?.find((b) => b.properties));
  const out: string[] = [];
  const rows = (node: Node, prefix: string, optionalParent: boolean): string[] => {
    const lines: string[] = [];
    for (const [field, s] of Object.entries(node.properties ?? {})) {
      const optional = optionalParent || !(node.required ?? []).includes(field);
      const desc = s.description ?? s.anyOf?.find((b) => typeof b.description === "string")?.description ?? "";
      const name = `${prefix}${field}`;
      const obj = objectOf(s);
      const list = s.items && objectOf(s.items);
      const type = obj ? (s.anyOf ? "object or null" : "object") : list ? "list of objects" : typeText(s as Record<string, unknown>);
      lines.push(`| \`${name}\` | ${cell(type)}${optional ? " (optional)" : ""} | ${cell(String(desc))} |`);
      if (obj) lines.push(...rows(obj, `${name}.`, false));
      if (list) lines.push(...rows(list, `${name}[].`, false));
    }
    return lines;
  };
  for (const [name, schema] of Object.entries(EVENT_SCHEMAS)) {
    out.push(`**${name}**`, "", "| field | type | notes |", "|---|---|---|", ...rows(jsonSchemaOf(schema) as Node, "", false), "");
  }
  return out.join("\n");
}

/** The rosarchive_ metrics of a registry as a table. */
async function registryTable(registry: client.Registry): Promise<string[]> {
  const rows: string[] = ["| metric | type | labels | meaning |", "|---|---|---|---|"];
  for (const m of registry.getMetricsAsArray()) {
    if (!m.name.startsWith("rosarchive_")) continue;
    const g = await (m as unknown as { get(): Promise<{ type: string; help: string }> }).get();
    const labels = ((m as unknown as { labelNames?: string[] }).labelNames ?? []).join(", ");
    rows.push(`| \`${m.name}\` | ${g.type} | ${labels || "-"} | ${cell(g.help)} |`);
  }
  return rows;
}

/** What the core adds with a nats: block, and what a collector process serves: from their own metric factories. */
export async function remoteMetricTables(): Promise<string> {
  const core = new client.Registry();
  remoteMetrics(core, () => new Map());
  const collector = new client.Registry();
  collectorMetrics(collector);
  return ["With a `nats:` block the service adds:", "", ...(await registryTable(core)), "", "A collector (`rosarchive collector --listen`) serves its own:", "", ...(await registryTable(collector))].join("\n");
}

/** Every rosarchive_ metric with its type, labels and help text, from the registry the service uses. */
export async function metricTable(): Promise<string> {
  const { registry } = createMetrics();
  const rows: string[] = ["| metric | type | labels | meaning |", "|---|---|---|---|"];
  for (const m of registry.getMetricsAsArray()) {
    if (!m.name.startsWith("rosarchive_")) continue;
    const g = await (m as unknown as { get(): Promise<{ type: string; help: string }> }).get();
    const labels = ((m as unknown as { labelNames?: string[] }).labelNames ?? []).join(", ");
    rows.push(`| \`${m.name}\` | ${g.type} | ${labels || "-"} | ${cell(g.help)} |`);
  }
  const listed = rows.length - 2;
  if (listed !== METRIC_NAMES.length) throw new Error(`the registry has ${listed} rosarchive_ metrics, METRIC_NAMES lists ${METRIC_NAMES.length}: keep them in step (src/observe/metrics.ts)`);
  return rows.join("\n");
}
