/**
 * SPEC §8 route table as OpenAPI 3.1. A test walks `paths` and checks each
 * route answers (non-404) for a valid request, so this cannot drift silently.
 */
const error = { $ref: "#/components/schemas/Error" };
const errors = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), { description: "error", content: { "application/json": { schema: error } } }]));
const json = (description: string, schema: unknown = { type: "object" }) => ({ description, content: { "application/json": { schema } } });
const tenant = { name: "tenant", in: "path", required: true, schema: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]{0,62}$" } };
const device = { ...tenant, name: "device" };
const commit = (name: string, description: string) => ({ name, in: "query", required: false, description, schema: { type: "string", pattern: "^[0-9a-f]{7,40}$" } });
const limit = (max: number, def: number) => ({ name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: max, default: def } });
const historyEntry = {
  type: "object",
  required: ["commit", "parent", "time", "trigger", "routeros_version", "summary", "resealed", "stats", "sections"],
  properties: {
    commit: { type: "string" },
    parent: { type: ["string", "null"] },
    time: { type: "string", format: "date-time" },
    trigger: { type: "string", enum: ["scheduled", "manual", "import", "retire"], description: "retire: the commit that removed a retired device's file" },
    routeros_version: { type: "string" },
    summary: { type: "string" },
    resealed: { type: "boolean", description: "the commit only re-sealed unchanged values for new recipients (no config.changed event)" },
    stats: { $ref: "#/components/schemas/Stats" },
    sections: { type: "array", items: { type: "object", properties: { section: { type: "string" }, added: { type: "integer" }, removed: { type: "integer" } } } },
    device: { type: "string", description: "tenant timeline only" },
  },
};
const page = { type: "object", properties: { entries: { type: "array", items: historyEntry }, next: { type: ["string", "null"], description: "pass as `before` for the next page" } } };
const viewer = [{ bearer: [] }];
const fingerprintSchema = { type: "string", pattern: "^SHA256:[A-Za-z0-9+/]{43}$", description: "as `ssh-keygen -l` prints it" };
const fingerprintQuery = { name: "fingerprint", in: "query", required: false, description: "the presented fingerprint the admin compared (or in the JSON body)", schema: fingerprintSchema };
const nullableTime = { type: ["string", "null"], format: "date-time" };
const deviceSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    source: { type: "string", description: "config, or the inventory source that lists it" },
    site: { type: "string" },
    group: { type: ["string", "null"] },
    host: { type: "string" },
    port: { type: "integer" },
    enabled: { type: "boolean" },
    path: { type: "string" },
    status: { type: "string", enum: ["never", "ok", "failing", "blocked", "retired"] },
    retired_at: nullableTime,
    retired_commit: { type: ["string", "null"] },
    last_attempt: nullableTime,
    last_success: nullableTime,
    last_change: nullableTime,
    last_change_commit: { type: ["string", "null"] },
    last_error: { type: ["object", "null"], properties: { code: { type: "string" }, message: { type: "string" } } },
    next_run: nullableTime,
    routeros_version: { type: ["string", "null"] },
  },
};
const sourceSchema = {
  type: "object",
  properties: {
    name: { type: "string" },
    type: { type: "string", enum: ["file", "http", "netbox"] },
    state: { type: "string", enum: ["never", "ok", "failing", "refused"] },
    interval: { type: "string" },
    max_removal: { type: "string" },
    last_sync: nullableTime,
    last_success: nullableTime,
    next_sync: nullableTime,
    result: { type: ["string", "null"], enum: ["changed", "unchanged", "not_modified", "refused", "invalid", "failed", null] },
    last_error: { type: ["object", "null"], properties: { code: { type: "string" }, message: { type: "string" } } },
    devices: { type: "integer" },
    added: { type: "integer" },
    removed: { type: "integer" },
    changed: { type: "integer" },
    skipped_count: { type: "integer" },
    skipped: { type: "array", items: { type: "object", properties: { row: { type: "string" }, reason: { type: "string" } } } },
    refused_removal: {
      type: ["object", "null"],
      properties: { devices: { type: "array", items: { type: "string" } }, count: { type: "integer" }, share: { type: "number" }, tenant_devices: { type: "integer" }, since: { type: "string", format: "date-time" }, digest: { type: "string" } },
    },
  },
};

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: { title: "rosarchive", version: "1", description: "Git-backed RouterOS configuration archive. Roles: viewer < operator < admin. Errors: {\"error\":{\"code\",\"message\"}}." },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" }, basic: { type: "http", scheme: "basic", description: "git clients: any user name, the token as password" } },
      schemas: {
        Error: { type: "object", properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } } } },
        Stats: { type: "object", properties: { added: { type: "integer" }, removed: { type: "integer" } } },
      },
    },
    paths: {
      "/healthz": { get: { summary: "liveness", security: [], responses: { "200": json("ok", { type: "object", properties: { status: { const: "ok" } } }) } } },
      "/api/v1/openapi.json": { get: { summary: "this document", security: [], responses: { "200": json("OpenAPI 3.1") } } },
      "/api/v1/tenants/{tenant}/devices": {
        get: {
          summary:
            "devices with state, source and site (viewer); retired devices with state=retired or all. With `limit` (or `cursor`): one page in id order with `next`, `total` and the tenant's `counts`, `groups` and `sites`; without: every matching device in config order",
          security: viewer,
          parameters: [
            tenant,
            { name: "state", in: "query", required: false, schema: { type: "string", enum: ["active", "retired", "all", "never", "ok", "failing", "blocked"], default: "active" } },
            { name: "site", in: "query", required: false, schema: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]{0,62}$" } },
            { name: "group", in: "query", required: false, description: "one group; empty: the devices without a group", schema: { type: "string", pattern: "^([a-z0-9][a-z0-9._-]{0,62})?$" } },
            { name: "q", in: "query", required: false, description: "devices whose id or host contains this text (any case)", schema: { type: "string", maxLength: 100 } },
            { ...limit(1000, 1000), description: "page size: the answer is paged" },
            { name: "cursor", in: "query", required: false, description: "the `next` of the previous page", schema: { type: "string", pattern: "^[a-z0-9][a-z0-9._-]{0,62}$" } },
          ],
          responses: {
            "200": json("devices", {
              type: "object",
              properties: {
                tenant: { type: "string" },
                devices: { type: "array", items: deviceSchema },
                next: { type: ["string", "null"], description: "paged: pass as `cursor` for the next page" },
                total: { type: "integer", description: "paged: devices matching the filters" },
                counts: {
                  type: "object",
                  description: "paged: the whole tenant, whatever the filters",
                  properties: { active: { type: "integer" }, never: { type: "integer" }, ok: { type: "integer" }, failing: { type: "integer" }, blocked: { type: "integer" }, retired: { type: "integer" } },
                },
                groups: { type: "array", items: { type: "string" }, description: "paged: every group the tenant's devices use" },
                sites: { type: "array", items: { type: "string" }, description: "paged: every site the tenant's devices use" },
              },
            }),
            ...errors(400, 401, 404),
          },
        },
      },
      "/api/v1/tenants/{tenant}/devices/{device}": {
        get: { summary: "one device with its pinned host key (viewer); a retired device too", security: viewer, parameters: [tenant, device], responses: { "200": json("device", deviceSchema), ...errors(401, 404) } },
      },
      "/api/v1/tenants/{tenant}/devices/{device}/history": {
        get: { summary: "the device's snapshots, newest first (viewer)", security: viewer, parameters: [tenant, device, limit(200, 50), commit("before", "cursor: entries strictly older than this commit")], responses: { "200": json("page", page), ...errors(400, 401, 404) } },
      },
      "/api/v1/tenants/{tenant}/history": {
        get: { summary: "every device's snapshots, newest first, with `device` (viewer)", security: viewer, parameters: [tenant, limit(200, 50), commit("before", "cursor")], responses: { "200": json("page", page), ...errors(400, 401, 404) } },
      },
      "/api/v1/tenants/{tenant}/devices/{device}/config": {
        get: {
          summary: "the archived (sealed) export; decrypt=true needs admin and an identity_file",
          security: viewer,
          parameters: [tenant, device, commit("at", "default: the device's latest snapshot"), { name: "decrypt", in: "query", required: false, schema: { type: "boolean", default: false } }],
          responses: { "200": { description: "text/plain attachment `<device>-<YYYYMMDDTHHMMSSZ>.rsc`", content: { "text/plain": { schema: { type: "string" } } } }, ...errors(400, 401, 403, 404, 409) },
        },
      },
      "/api/v1/tenants/{tenant}/devices/{device}/diff": {
        get: {
          summary: "unified diff as git prints it, or sections with Accept: application/json",
          security: viewer,
          parameters: [tenant, device, commit("from", "default: parent of `to`"), commit("to", "default: latest snapshot")],
          responses: {
            "200": {
              description: "diff",
              content: {
                "text/x-diff": { schema: { type: "string" } },
                "application/json": { schema: { type: "object", properties: { from: { type: "string" }, to: { type: "string" }, stats: { $ref: "#/components/schemas/Stats" }, sections: { type: "array", items: { type: "object", properties: { section: { type: "string" }, added: { type: "array", items: { type: "string" } }, removed: { type: "array", items: { type: "string" } } } } } } } },
              },
            },
            ...errors(400, 401, 404),
          },
        },
      },
      "/api/v1/tenants/{tenant}/devices/{device}/backup": {
        post: {
          summary: "manual backup now (operator)",
          security: viewer,
          parameters: [tenant, device],
          responses: { "201": json("changed: {changed:true, commit}"), "200": json("unchanged: {changed:false, commit}"), ...errors(401, 403, 404, 409, 429, 502, 504) },
        },
      },
      "/api/v1/tenants/{tenant}/devices/{device}/host-key/accept": {
        post: {
          summary: "pin exactly the host key the admin compared (the device's presented_host_key) and clear the block; a backup starts at once (admin)",
          description: "409 when the device is not blocked by a changed host key (an auth_failed block: use unblock), or when the fingerprint is neither the presented key nor the pinned one.",
          security: viewer,
          parameters: [tenant, device, fingerprintQuery],
          requestBody: { required: false, content: { "application/json": { schema: { type: "object", required: ["fingerprint"], properties: { fingerprint: fingerprintSchema } } } } },
          responses: { "200": json("device: status failing with the reason in last_error until the backup confirms the key"), ...errors(400, 401, 403, 404, 409) },
        },
      },
      "/api/v1/tenants/{tenant}/devices/{device}/unblock": {
        post: {
          summary: "clear an auth_failed block without changing the credentials; a backup starts at once and a failing login blocks again (admin, audited)",
          security: viewer,
          parameters: [tenant, device],
          responses: { "200": json("device: status failing with the reason in last_error until the backup"), ...errors(401, 403, 404, 409) },
        },
      },
      "/api/v1/tenants/{tenant}/events": {
        get: {
          summary: "Server-Sent Events of section 9 (viewer). Ids are `<epoch>-<seq>`; resuming with a Last-Event-ID from before a restart, or of events no longer held, gets `event: reset` (reload your state). At most limits.event_streams_per_token per token (429); a reader whose unsent bytes pass limits.event_stream_buffer_bytes is disconnected.",
          security: viewer,
          parameters: [tenant, { name: "last_event_id", in: "query", required: false, description: "as the Last-Event-ID header", schema: { type: "string", pattern: "^([0-9a-z]{1,16}-)?[0-9]{1,15}$" } }],
          responses: { "200": { description: "text/event-stream" }, ...errors(400, 401, 404, 429) },
        },
      },
      "/api/v1/tenants/{tenant}/audit": {
        get: { summary: "audit entries, newest first (admin)", security: viewer, parameters: [tenant, limit(1000, 100)], responses: { "200": json("entries"), ...errors(400, 401, 403, 404) } },
      },
      "/api/v1/tenants/{tenant}/inventory": {
        get: {
          summary: "inventory sources: last sync, result, counts, refused removal (admin)",
          security: viewer,
          parameters: [tenant],
          responses: { "200": json("sources", { type: "object", properties: { tenant: { type: "string" }, sources: { type: "array", items: sourceSchema } } }), ...errors(401, 403, 404) },
        },
      },
      "/api/v1/tenants/{tenant}/inventory/{source}/confirm": {
        post: {
          summary: "confirm a source's refused removal: its list is applied and the devices it drops are retired (admin, audited)",
          security: viewer,
          parameters: [tenant, { ...tenant, name: "source" }, { name: "digest", in: "query", required: false, description: "the refused removal's digest as shown: 409 if it changed since", schema: { type: "string", pattern: "^[0-9a-f]{16}$" } }],
          responses: { "200": json("applied", { type: "object", properties: { source: { type: "string" }, removed: { type: "array", items: { type: "string" } }, count: { type: "integer" } } }), ...errors(400, 401, 403, 404, 409) },
        },
      },
      "/git/{tenant}.git/info/refs": {
        get: { summary: "Git smart HTTP ref advertisement (service=git-upload-pack); push is refused with 403. Refusals to git clients (User-Agent git/...) are text/plain, which git prints as `remote: ...`", security: [{ basic: [] }, { bearer: [] }], parameters: [tenant, { name: "service", in: "query", required: true, schema: { const: "git-upload-pack" } }], responses: { "200": { description: "application/x-git-upload-pack-advertisement" }, ...errors(401, 403, 404, 503) } },
      },
      "/git/{tenant}.git/git-upload-pack": {
        post: { summary: "Git smart HTTP fetch (protocol v0 and v2, shallow); 503 with Retry-After past limits.git_processes(_per_token); 408 when the body does not arrive within limits.body_timeout", security: [{ basic: [] }, { bearer: [] }], parameters: [tenant], responses: { "200": { description: "application/x-git-upload-pack-result" }, ...errors(401, 404, 408, 503) } },
      },
    },
  };
}
