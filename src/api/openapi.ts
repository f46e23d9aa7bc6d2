import { ERROR_STATUS } from "../common/index.js";
import { API_SCHEMAS, EVENT_SCHEMAS, jsonSchemaOf, type ApiSchemaName } from "./schemas.js";

/**
 * Every route the service answers, as OpenAPI 3.1. Each operation names the
 * role it needs twice: `x-role` (none, metrics, viewer, operator, admin) and
 * its security requirement (OpenAPI 3.1 lets http schemes list role names).
 * Tests compare this document with the routes express really serves (both
 * ways), call every operation with the role below the documented one (403)
 * and with the documented one (not 401/403), and check real answers against
 * the response schemas.
 */
export type RouteRole = "none" | "metrics" | "viewer" | "operator" | "admin";

const ref = (name: ApiSchemaName | keyof typeof EVENT_SCHEMAS) => ({ $ref: `#/components/schemas/${name}` });
const json = (description: string, name: ApiSchemaName) => ({ description, content: { "application/json": { schema: ref(name) } } });
const ERROR_TEXT: Record<number, string> = {
  400: "a bad parameter (the message names it)",
  401: "no token, or a token no tenant knows",
  403: "the token's role is below what the route needs",
  404: "no such tenant, device or snapshot, or a token of another tenant (the same answer for all)",
  408: "the request body did not arrive within limits.body_timeout",
  409: "busy, or a state that forbids it (the message says which)",
  413: "request body over limits.max_request_body_bytes",
  422: "an inventory source's list cannot be used",
  429: "over a rate or stream limit (Retry-After says when, where it applies)",
  500: "a fault of the service (logged)",
  502: "the device (or an inventory source) refused or failed",
  503: "no git process slot free now (Retry-After says when)",
  504: "the device did not answer in time (timeout)",
};
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => {
      // A request body cut off by its deadline is answered 408 with the code timeout.
      const which = c === 408 ? ["timeout"] : Object.entries(ERROR_STATUS).filter(([, s]) => s === c).map(([k]) => k);
      return [String(c), { description: `${ERROR_TEXT[c] ?? "error"} (codes: ${which.join(", ")})`, content: { "application/json": { schema: ref("Error") } } }];
    }),
  );
const idPattern = "^[a-z0-9][a-z0-9._-]{0,62}$";
const tenant = { name: "tenant", in: "path", required: true, description: "tenant id", schema: { type: "string", pattern: idPattern } };
const device = { name: "device", in: "path", required: true, description: "device id", schema: { type: "string", pattern: idPattern } };
const commit = (name: string, description: string) => ({ name, in: "query", required: false, description, schema: { type: "string", pattern: "^[0-9a-f]{7,40}$" } });
const limit = (max: number, def: number) => ({ name: "limit", in: "query", required: false, description: `entries per page, 1 to ${max}`, schema: { type: "integer", minimum: 1, maximum: max, default: def } });
const bytes = (type: string, description: string) => ({ description, content: { [type]: { schema: { type: "string", description } } } });

/** The security requirement of a role: who may call, in OpenAPI's words. */
function security(role: RouteRole): unknown[] {
  switch (role) {
    case "none":
      return [];
    case "metrics":
      // The metrics token when metrics_token_sha256 is set; open otherwise.
      return [{ metricsToken: [] }, {}];
    default:
      return [{ bearer: [role] }];
  }
}

const gitSecurity = [{ basic: ["viewer"] }, { bearer: ["viewer"] }];

interface Operation {
  readonly summary: string;
  readonly requestBody?: unknown;
  readonly description?: string;
  readonly role: RouteRole;
  readonly parameters?: readonly unknown[];
  readonly responses: Record<string, unknown>;
  readonly security?: readonly unknown[];
}

/** The route table: path → method → operation. */
const ROUTES: Record<string, Record<string, Operation>> = {
  "/": {
    get: { summary: "the web UI page", description: "Static HTML of the web UI; it reads the API like any client.", role: "none", responses: { "200": bytes("text/html", "the page") } },
  },
  "/ui/{file}": {
    get: {
      summary: "a file of the web UI (its modules, style sheet and icon)",
      role: "none",
      parameters: [{ name: "file", in: "path", required: true, schema: { type: "string" } }],
      responses: { "200": bytes("text/javascript", "an ES module, style sheet or icon of the UI"), ...errors(404) },
    },
  },
  "/healthz": {
    get: { summary: "liveness: the process serves HTTP", role: "none", responses: { "200": json("ok", "Health") } },
  },
  "/metrics": {
    get: {
      summary: "Prometheus metrics (text exposition format 0.0.4)",
      description: "With metrics_token_sha256 set, needs `Authorization: Bearer <metrics token>` from anywhere; without it, answers only loopback clients that did not come through a proxy (no Forwarded, X-Forwarded-For or X-Real-IP header), others get 403.",
      role: "metrics",
      responses: { "200": bytes("text/plain", "the metrics, as Prometheus scrapes them"), ...errors(401, 403) },
    },
  },
  "/api/v1/openapi.json": {
    get: { summary: "this document", role: "none", responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object", properties: { openapi: { const: "3.1.0" } }, required: ["openapi", "paths"] } } } } } },
  },
  "/api/v1/tenants/{tenant}/devices": {
    get: {
      summary: "the tenant's devices with their state, source and site",
      description:
        "Without `limit` and `cursor`: every matching device in config order. With either: one page in id order with `next` (the cursor of the next page), `total` (devices matching the filters) and the whole tenant's `counts`, `groups` and `sites` (the fleet page reads a page at a time and filters here).",
      role: "viewer",
      parameters: [
        tenant,
        { name: "state", in: "query", required: false, description: "active (the devices in force), retired, all, or one state", schema: { type: "string", enum: ["active", "retired", "all", "never", "ok", "failing", "blocked"], default: "active" } },
        { name: "site", in: "query", required: false, description: "only this site", schema: { type: "string", pattern: idPattern } },
        { name: "group", in: "query", required: false, description: "only this group; empty: the devices without a group", schema: { type: "string", pattern: "^([a-z0-9][a-z0-9._-]{0,62})?$" } },
        { name: "q", in: "query", required: false, description: "only devices whose id or host contains this text (any case)", schema: { type: "string", maxLength: 100 } },
        { name: "policy", in: "query", required: false, description: "only devices with this policy result: failing (a check), critical (a critical check), passing (every check), pending (a check not evaluated yet), or check:<name> (failing that check)", schema: { type: "string", pattern: "^(failing|critical|passing|pending|check:[a-z0-9][a-z0-9._-]{0,62})?$" } },
        { ...limit(1000, 1000), description: "devices per page, 1 to 1000: the answer is paged" },
        { name: "cursor", in: "query", required: false, description: "the `next` of the previous page: the answer is paged", schema: { type: "string", pattern: idPattern } },
      ],
      responses: { "200": json("devices", "DeviceList"), ...errors(400, 401, 404) },
    },
  },
  "/api/v1/tenants/{tenant}/collectors": {
    get: {
      summary: "remote collectors serving the tenant's sites: per site its devices and live collectors; per collector its site, last seen, jobs in flight, version",
      role: "viewer",
      parameters: [tenant],
      responses: { "200": json("collectors", "CollectorsPage"), ...errors(401, 404) },
    },
  },
  "/api/v1/tenants/{tenant}/devices/{device}": {
    get: { summary: "one device (a retired one too), with its pinned host key and its policy checks at a glance", role: "viewer", parameters: [tenant, device], responses: { "200": json("the device", "DeviceWithPolicy"), ...errors(401, 404) } },
  },
  "/api/v1/tenants/{tenant}/devices/{device}/history": {
    get: {
      summary: "the device's snapshots, newest first",
      role: "viewer",
      parameters: [tenant, device, limit(200, 50), commit("before", "cursor: entries strictly older than this commit (the `next` of the previous page)")],
      responses: { "200": json("one page", "DeviceHistory"), ...errors(400, 401, 404) },
    },
  },
  "/api/v1/tenants/{tenant}/history": {
    get: {
      summary: "every device's snapshots, newest first, each with its device",
      role: "viewer",
      parameters: [tenant, limit(200, 50), commit("before", "cursor: entries strictly older than this commit")],
      responses: { "200": json("one page", "TenantHistory"), ...errors(400, 401, 404) },
    },
  },
  "/api/v1/tenants/{tenant}/devices/{device}/config": {
    get: {
      summary: "the archived export (sealed); decrypt=true opens the sealed values (admin)",
      description: "`Content-Disposition: attachment; filename=\"<device>-<YYYYMMDDTHHMMSSZ>.rsc\"`, `X-Rosarchive-Commit: <commit>`. decrypt=true needs the admin role and the tenant's identity_file (409 no_identity without one).",
      role: "viewer",
      parameters: [tenant, device, commit("at", "a commit; default: the device's latest snapshot"), { name: "decrypt", in: "query", required: false, description: "admin only", schema: { type: "boolean", default: false } }],
      responses: { "200": bytes("text/plain", "the export as archived"), ...errors(400, 401, 403, 404, 409) },
    },
  },
  "/api/v1/tenants/{tenant}/devices/{device}/diff": {
    get: {
      summary: "what changed between two snapshots: a unified diff as git prints it, or by section with Accept: application/json",
      description: "Defaults: `to` is the device's latest snapshot, `from` its previous version (git's empty tree for a first snapshot). The text answer carries X-Rosarchive-From and X-Rosarchive-To.",
      role: "viewer",
      parameters: [tenant, device, commit("from", "default: the device's version before `to`"), commit("to", "default: the latest snapshot")],
      responses: {
        "200": { description: "the diff", content: { "text/x-diff": { schema: { type: "string" } }, "application/json": { schema: ref("StructuredDiff") } } },
        ...errors(400, 401, 404),
      },
    },
  },
  "/api/v1/tenants/{tenant}/devices/{device}/backup": {
    post: {
      summary: "back the device up now",
      description: "201 when a new commit was made, 200 when the snapshot was unchanged. Audited as backup.manual.",
      role: "operator",
      parameters: [tenant, device],
      responses: { "201": json("changed", "BackupResult"), "200": json("unchanged", "BackupResult"), ...errors(401, 403, 404, 409, 429, 500, 502, 504) },
    },
  },
  "/api/v1/tenants/{tenant}/backup": {
    post: {
      summary: "back up all now: every device of the tenant, or of ?group=, that may run falls due at once",
      description: "The scheduler still bounds how many run together; the devices update as their backups land. 202 with how many were scheduled; once a minute per tenant and group (429 with Retry-After beyond). Audited as backup.all.",
      role: "operator",
      parameters: [tenant, { name: "group", in: "query", required: false, description: "only this group's devices", schema: { type: "string", pattern: idPattern } }],
      responses: { "202": json("scheduled", "BackupAll"), ...errors(400, 401, 403, 404, 429, 503) },
    },
  },
  "/api/v1/tenants/{tenant}/devices/{device}/host-key/accept": {
    post: {
      summary: "pin exactly the host key the admin compared (the device's presented_host_key) and clear the block; a backup starts at once",
      description: "The fingerprint as ?fingerprint= or in the JSON body. 409 when the device is not blocked by a changed host key (an auth_failed block: use unblock), or when the fingerprint is neither the presented key nor the pinned one. Audited as hostkey.accepted.",
      role: "admin",
      parameters: [tenant, device, { name: "fingerprint", in: "query", required: false, description: "the presented fingerprint the admin compared (or in the body)", schema: { type: "string", pattern: "^SHA256:[A-Za-z0-9+/]{43}$" } }],
      requestBody: { required: false, content: { "application/json": { schema: ref("HostKeyAccept") } } },
      responses: { "200": json("the device: failing, with the reason in last_error, until the backup confirms the key", "DeviceDetail"), ...errors(400, 401, 403, 404, 409) },
    },
  },
  "/api/v1/tenants/{tenant}/devices/{device}/unblock": {
    post: {
      summary: "clear an auth_failed block without changing the credentials; a backup starts at once and a failing login blocks again",
      description: "Audited as device.unblocked. 409 when the device is not blocked by auth_failed.",
      role: "admin",
      parameters: [tenant, device],
      responses: { "200": json("the device until the backup", "DeviceDetail"), ...errors(401, 403, 404, 409) },
    },
  },
  "/api/v1/tenants/{tenant}/events": {
    get: {
      summary: "the tenant's events as Server-Sent Events",
      description:
        "`text/event-stream`: one message per event (`id:` `<epoch>-<seq>`, `event:` the event name, `data:` the event JSON, the same bytes webhooks get: ConfigChangedEvent, DeviceEvent, DeviceRetiredEvent or InventoryEvent), `: ping` comments every 15 s. Resume with Last-Event-ID (or ?last_event_id=); an id from before a restart, or of events no longer held, gets `event: reset` (reload your state). At most limits.event_streams_per_token streams per token (429); a reader whose unsent bytes pass limits.event_stream_buffer_bytes is disconnected; a token removed by a reload loses its streams.",
      role: "viewer",
      parameters: [tenant, { name: "last_event_id", in: "query", required: false, description: "resume after this id (the Last-Event-ID header wins)", schema: { type: "string", pattern: "^([0-9a-z]{1,16}-)?[0-9]{1,15}$" } }],
      responses: { "200": { description: "the stream", content: { "text/event-stream": { schema: { type: "string" } } } }, ...errors(400, 401, 404, 429) },
    },
  },
  "/api/v1/tenants/{tenant}/audit": {
    get: { summary: "the tenant's audit entries, newest first", role: "admin", parameters: [tenant, limit(1000, 100)], responses: { "200": json("entries", "AuditPage"), ...errors(400, 401, 403, 404) } },
  },
  "/api/v1/tenants/{tenant}/search": {
    get: {
      summary: "find text in the archived (sealed) files of every device, at latest, at a date, or through history",
      description:
        "Stock git grep over the archive: a sealed value is searched as archived, so its plaintext never matches. Each hit names the device, its snapshot, the line number, the /menu section (from the whole file) and the line. Pages are read from one snapshot, continued with `cursor`. history=true answers per device when each matching line appeared and went. Audited as search.read (the query's length, never the query).",
      role: "viewer",
      parameters: [
        tenant,
        { name: "q", in: "query", required: true, description: "the text to find; with regex=true an extended regular expression as git grep -E reads it; at most 512 characters", schema: { type: "string", maxLength: 512 } },
        { name: "regex", in: "query", required: false, schema: { type: "boolean", default: false } },
        { name: "at", in: "query", required: false, description: "latest, a date (the end of that day, UTC) or an RFC 3339 time", schema: { type: "string", default: "latest" } },
        { name: "group", in: "query", required: false, schema: { type: "string", pattern: idPattern } },
        { name: "history", in: "query", required: false, description: "search every version; not with at", schema: { type: "boolean", default: false } },
        limit(200, 50),
        { name: "cursor", in: "query", required: false, description: "the `next` of the previous page, with the same query", schema: { type: "string", maxLength: 512 } },
      ],
      responses: { "200": json("one page (history=false: hits; history=true: devices with spans)", "SearchPage"), ...errors(400, 401, 404, 429, 504) },
    },
  },
  "/api/v1/tenants/{tenant}/compare": {
    get: {
      summary: "how device b's file differs from device a's: a unified diff as git prints it, or sections with Accept: application/json",
      description:
        "The compare ignore rules leave lines out of both sides, and between two devices sealed values are masked; ignore=false compares both files exactly as archived. X-Rosarchive-Ignored and X-Rosarchive-Sealed-Masked say how many per side. Audited as compare.read.",
      role: "viewer",
      parameters: [
        tenant,
        { name: "a", in: "query", required: true, description: "<device> (its newest snapshot) or <device>@<commit>", schema: { type: "string" } },
        { name: "b", in: "query", required: true, description: "as a", schema: { type: "string" } },
        { name: "ignore", in: "query", required: false, schema: { type: "boolean", default: true } },
      ],
      responses: { "200": { description: "the diff", content: { "text/x-diff": { schema: { type: "string" } }, "application/json": { schema: ref("Compare") } } }, ...errors(400, 401, 404, 504) },
    },
  },
  "/api/v1/tenants/{tenant}/policy": {
    get: { summary: "the tenant's policy checks with their counts, and each device's results", role: "viewer", parameters: [tenant], responses: { "200": json("checks and results", "PolicyPage"), ...errors(401, 404) } },
  },
  "/api/v1/tenants/{tenant}/policy/run": {
    post: { summary: "evaluate every device's newest snapshot now; answers when done", description: "Audited as policy.run.", role: "operator", parameters: [tenant], responses: { "200": json("what the round did", "PolicyRun"), ...errors(401, 403, 404) } },
  },
  "/api/v1/tenants/{tenant}/inventory": {
    get: { summary: "the tenant's inventory sources: last sync, result, counts, refused removal", role: "admin", parameters: [tenant], responses: { "200": json("sources", "InventoryPage"), ...errors(401, 403, 404) } },
  },
  "/api/v1/tenants/{tenant}/inventory/{source}/confirm": {
    post: {
      summary: "confirm a source's refused removal: its list is applied and the devices it drops are retired",
      description: "Audited as inventory.confirmed. 409 when the source has no refused removal, or its digest changed since the one given.",
      role: "admin",
      parameters: [tenant, { name: "source", in: "path", required: true, description: "the inventory source's name", schema: { type: "string", pattern: idPattern } }, { name: "digest", in: "query", required: false, description: "the refused removal's digest as shown", schema: { type: "string", pattern: "^[0-9a-f]{16}$" } }],
      responses: { "200": json("applied", "InventoryConfirm"), ...errors(400, 401, 403, 404, 409) },
    },
  },
  "/git/{tenant}.git/info/refs": {
    get: {
      summary: "Git smart HTTP: the ref advertisement of a clone or fetch",
      description: "`git clone https://any-user:TOKEN@host/git/<tenant>.git`. Read only: service=git-receive-pack (push) is refused with 403. Audited as repo.clone. Refusals to git clients (User-Agent git/...) are text/plain, which git prints as `remote: ...`.",
      role: "viewer",
      security: gitSecurity,
      parameters: [tenant, { name: "service", in: "query", required: true, schema: { enum: ["git-upload-pack"] } }],
      responses: { "200": bytes("application/x-git-upload-pack-advertisement", "pkt-lines"), ...errors(401, 403, 404, 503) },
    },
  },
  "/git/{tenant}.git/git-upload-pack": {
    post: {
      summary: "Git smart HTTP: the pack of a clone or fetch (protocol v0 and v2, shallow)",
      description: "503 with Retry-After past limits.git_processes (or its per-token share); 408 when the body does not arrive within limits.body_timeout.",
      role: "viewer",
      security: gitSecurity,
      parameters: [tenant],
      responses: { "200": bytes("application/x-git-upload-pack-result", "the pack"), ...errors(401, 404, 408, 503) },
    },
  },
};

/** `{ "GET /healthz": "none", ... }`: each documented operation and its role (tests, docs). */
export function documentedRoutes(): Array<{ method: string; path: string; role: RouteRole }> {
  return Object.entries(ROUTES).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, role: op.role })));
}

export function openApiDocument(): Record<string, unknown> {
  const paths = Object.fromEntries(
    Object.entries(ROUTES).map(([path, ops]) => [
      path,
      Object.fromEntries(
        Object.entries(ops).map(([method, op]) => [
          method,
          {
            summary: op.summary,
            ...(op.description && { description: op.description }),
            "x-role": op.role,
            security: op.security ?? security(op.role),
            ...(op.parameters && { parameters: op.parameters }),
            ...(op.requestBody !== undefined && { requestBody: op.requestBody }),
            responses: op.responses,
          },
        ]),
      ),
    ]),
  );
  const schemas = Object.fromEntries([...Object.entries(API_SCHEMAS), ...Object.entries(EVENT_SCHEMAS)].map(([name, s]) => [name, jsonSchemaOf(s)]));
  return {
    openapi: "3.1.0",
    info: {
      title: "rosarchive",
      version: "1",
      description: "Git-backed RouterOS configuration archive. Roles: viewer < operator < admin (x-role of each operation; none: no token; metrics: the metrics token when one is configured). Errors: {\"error\":{\"code\",\"message\"}}.",
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "an API token of the tenant in the URL; the role names list who may call" },
        basic: { type: "http", scheme: "basic", description: "git clients: any user name, the token as password" },
        metricsToken: { type: "http", scheme: "bearer", description: "the token whose sha256 is metrics_token_sha256 (only when that is set)" },
      },
      schemas,
    },
    paths,
  };
}
