import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { apiDeps, createApp, documentedRoutes, GIT_ENDPOINTS, openApiDocument, type RouteRole } from "../../src/api/index.js";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { AuditLog } from "../../src/store/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { validate, vagueObjects } from "../helpers/json-schema.js";
import { walkRoutes } from "../helpers/routes.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const newToken = () => randomBytes(24).toString("base64url");

/** Middleware mounted on a prefix that is not itself a route, each with why it adds none. */
const NON_ROUTE_MOUNTS = new Map<string, string>([
  ["/", "request metrics, the 404 and error handlers"],
  ["/api", "reads (and limits) request bodies"],
]);

describe("openapi: the document and the served routes agree", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let svc: RunningService;
  const tokens = { viewer: newToken(), operator: newToken(), admin: newToken(), metrics: newToken() };
  const doc = openApiDocument() as { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };

  before(async () => {
    sim = await startDevices(2);
    const dir = tempDir();
    const keys = keygen(dir);
    const file = writeConfig(dir, {
      recipient: keys.recipient,
      devices: [0, 1].map((i) => ({ id: `dev-${i}`, port: sim.devices.get(`dev-${i}`)!.port })),
      extra: `metrics_token_sha256: "${sha(tokens.metrics)}"\nschedule: { interval: 1d, first_run_window: 1d, connect_timeout: 3s, command_timeout: 5s, backoff: [1h] }`,
      tenantExtra: `    tokens:\n${(["viewer", "operator", "admin"] as const).map((r) => `      - { name: ${r}, role: ${r}, sha256: "${sha(tokens[r])}" }`).join("\n")}\n    policy:\n      - { name: no-telnet, severity: critical, must_not_contain: ["telnet disabled=no"] }\n      - { name: has-identity, severity: info, section: /system identity, must_contain: ["set name="] }\n`,
    });
    const config = loadConfig(readFileSync(file, "utf8").replace("password: not-a-real-secret", `password: "${TEST_PASSWORD}"`), { baseDir: dir });
    svc = await startService(config, {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
  });
  after(async () => {
    await svc?.close();
    await sim?.stop();
  });

  const call = async (method: string, path: string, token: string | null, headers: Record<string, string> = {}) => {
    let url = svc.url + path.replace("{tenant}", "acme").replace("{device}", "dev-0").replace("{file}", "app.js");
    if (path.endsWith("/info/refs")) url += "?service=git-upload-pack";
    const h: Record<string, string> = { ...headers, ...(token && { authorization: `Bearer ${token}` }) };
    if (path.endsWith("/git-upload-pack")) h["content-type"] = "application/x-git-upload-pack-request";
    const res = await fetch(url, { method, headers: h, ...(method === "POST" && { body: path.endsWith("/git-upload-pack") ? "0000" : "" }) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body, type: res.headers.get("content-type") ?? "" };
  };

  it("every route express serves is documented, and every documented route is served", () => {
    const root = walkRoutes(svc.app);
    const api = walkRoutes(createApp(apiDeps(svc.ctx, { audit: new AuditLog(svc.ctx.config().stateDir), log: silentLogger() })));
    const served = new Set([...root.routes, ...api.routes].map((r) => `${r.method} ${r.path}`));
    for (const m of [...root.mounts, ...api.mounts]) {
      if (m.name === "mounted_app") continue; // the API app inside serve's root: walked above
      if (m.path === "/git") {
        for (const e of GIT_ENDPOINTS) served.add(`${e.method} ${e.path}`);
        continue;
      }
      assert.ok(NON_ROUTE_MOUNTS.has(m.path), `middleware mounted at ${m.path} (${m.name}) may serve routes: add them to src/api/openapi.ts, or to NON_ROUTE_MOUNTS here with the reason`);
    }
    assert.ok(served.has("GET /metrics") && served.has("GET /api/v1/tenants/{tenant}/devices/{device}/diff") && served.has("GET /ui/{file}"), [...served].join(", "));
    const documented = new Set(documentedRoutes().map((r) => `${r.method} ${r.path}`));
    assert.deepEqual([...served].filter((r) => !documented.has(r)).sort(), [], "served but missing from the OpenAPI document (src/api/openapi.ts)");
    assert.deepEqual([...documented].filter((r) => !served.has(r)).sort(), [], "documented but not served");
    assert.ok(documented.has("GET /metrics") && documented.has("GET /healthz") && documented.has("POST /git/{tenant}.git/git-upload-pack"));
  });

  it("each operation's security names its real role: the role below is refused, the role itself is let in", async () => {
    const below: Record<string, keyof typeof tokens | null> = { viewer: null, operator: "viewer", admin: "operator" };
    for (const { method, path, role } of documentedRoutes()) {
      const op = doc.paths[path]![method.toLowerCase()]!;
      assert.equal(op["x-role"], role);
      if (path.startsWith("/git/")) assert.deepEqual(op.security, [{ basic: ["viewer"] }, { bearer: ["viewer"] }]);
      else if (role === "none") assert.deepEqual(op.security, []);
      else if (role === "metrics") assert.deepEqual(op.security, [{ metricsToken: [] }, {}]);
      else assert.deepEqual(op.security, [{ bearer: [role] }], `${method} ${path}`);
      if (path.endsWith("/events")) continue; // a stream that stays open: its auth is the same requireAccess, checked by events-sse tests
      const anonymous = await call(method, path, null);
      if (role === "none") {
        assert.ok(anonymous.status < 400, `${method} ${path} needs no token: ${anonymous.status}`);
        continue;
      }
      assert.equal(anonymous.status, 401, `${method} ${path} without a token`);
      if (role === "metrics") {
        assert.equal((await call(method, path, tokens.admin)).status, 401, "an API token is not the metrics token");
        assert.equal((await call(method, path, tokens.metrics)).status, 200);
        continue;
      }
      const lower = below[role as Exclude<RouteRole, "none" | "metrics">];
      if (lower) {
        const r = await call(method, path, tokens[lower]);
        assert.equal(r.status, 403, `${method} ${path} with a ${lower} token`);
        assert.match((r.body as any).error.message, new RegExp(`needs the ${role} role`));
      }
      const ok = await call(method, path, tokens[role as "viewer" | "operator" | "admin"]);
      assert.ok(ok.status !== 401 && ok.status !== 403, `${method} ${path} with a ${role} token: ${ok.status} ${JSON.stringify(ok.body).slice(0, 200)}`);
    }
  });

  it("schemas are concrete: no object without its members, every JSON answer by reference", () => {
    assert.deepEqual(vagueObjects(doc), []);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, r] of Object.entries<any>(op.responses)) {
          assert.ok(r.content, `${method} ${path} ${status} names its content type`);
          const schema = r.content["application/json"]?.schema;
          if (schema && path !== "/api/v1/openapi.json") assert.match(schema.$ref ?? "", /^#\/components\/schemas\//, `${method} ${path} ${status}`);
        }
      }
    }
  });

  it("real answers match the documented schemas (strict: no undocumented field)", async () => {
    const check = (what: string, schemaName: string, body: unknown) => {
      const problems = validate({ $ref: `#/components/schemas/${schemaName}` }, body, doc as any);
      assert.deepEqual(problems, [], `${what} against ${schemaName}`);
    };
    // The role walk above asked for "back up all now": let those backups end first (else a manual one is busy, 409).
    await until("the scheduled backups to end", 60_000, () => (["dev-0", "dev-1"].some((d) => svc.ctx.locks.isBusy("acme", d)) ? undefined : true));
    const first = await call("POST", "/api/v1/tenants/{tenant}/devices/{device}/backup", tokens.operator);
    assert.ok(first.status === 201 || first.status === 200, `backup: ${first.status}`);
    check("backup", "BackupResult", first.body);
    sim.setExport("dev-0", readFixture(V7_FIXTURE).replace("set name=MikroTik", "set name=changed"));
    const changed = await call("POST", "/api/v1/tenants/{tenant}/devices/{device}/backup", tokens.operator);
    assert.equal(changed.status, 201);
    check("backup (changed)", "BackupResult", changed.body);
    const same = await call("POST", "/api/v1/tenants/{tenant}/devices/{device}/backup", tokens.operator);
    assert.equal(same.status, 200);
    check("backup (unchanged)", "BackupResult", same.body);
    sim.setFault("dev-1", "wrong_password");
    const failed = await fetch(`${svc.url}/api/v1/tenants/acme/devices/dev-1/backup`, { method: "POST", headers: { authorization: `Bearer ${tokens.operator}` } });
    assert.equal(failed.status, 502);
    check("a failed backup", "Error", await failed.json());

    // Routes whose answer needs a query: one that answers 200.
    const query: Record<string, string> = {
      "/api/v1/tenants/{tenant}/search": "?q=name",
      "/api/v1/tenants/{tenant}/compare": "?a=dev-0&b=dev-0",
    };
    for (const { method, path } of documentedRoutes()) {
      if (method !== "GET") continue;
      const op = doc.paths[path]!.get!;
      const ref: string | undefined = op.responses["200"]?.content?.["application/json"]?.schema?.$ref;
      if (!ref) continue;
      const r = await call("GET", path + (query[path] ?? ""), tokens.admin, { accept: "application/json" });
      assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body).slice(0, 200)}`);
      check(path, ref.split("/").pop()!, r.body);
    }
    const diff = await call("GET", "/api/v1/tenants/{tenant}/devices/{device}/diff", tokens.viewer, { accept: "application/json" });
    check("the JSON diff", "StructuredDiff", diff.body);
    assert.ok((diff.body as any).sections.length > 0);
    const searched = await call("GET", "/api/v1/tenants/{tenant}/search?q=name&history=true", tokens.viewer);
    check("a history search", "SearchPage", searched.body);
    assert.ok((searched.body as any).devices.length > 0);
    const run = await call("POST", "/api/v1/tenants/{tenant}/policy/run", tokens.operator);
    assert.equal(run.status, 200);
    check("a policy run", "PolicyRun", run.body);
    const policy = await call("GET", "/api/v1/tenants/{tenant}/policy", tokens.viewer);
    assert.ok((policy.body as any).devices.length > 0, "results to check");
    check("the policy page", "PolicyPage", policy.body);
    const tenantHistory = await call("GET", "/api/v1/tenants/{tenant}/history", tokens.viewer);
    assert.ok((tenantHistory.body as any).entries.length >= 2, "the timeline has entries to check");
    const device1 = await call("GET", "/api/v1/tenants/{tenant}/devices/dev-1", tokens.viewer);
    check("a failing device", "DeviceWithPolicy", device1.body);
    assert.equal((device1.body as any).last_error.code, "auth_failed");
    for (const [what, r] of [
      ["404", await call("GET", "/api/v1/tenants/acme/devices/nope", tokens.viewer)],
      ["401", await call("GET", "/api/v1/tenants/{tenant}/devices", null)],
      ["400", await call("GET", "/api/v1/tenants/{tenant}/history?limit=0", tokens.viewer)],
    ] as const) {
      check(`an error (${what})`, "Error", r.body);
    }
  });
});
