import assert from "node:assert/strict";
import { timingSafeEqual } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { authenticate } from "../../src/api/auth.js";
import { bearer, importFixture, startApi, type ApiServer } from "../helpers/api.js";

/** A request sent byte for byte as given (fetch would normalize `..` and encodings away). */
function raw(url: string, method: string, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: rawPath, headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Bytes straight onto a socket: for requests no HTTP client would send. Returns the status line. */
function wire(url: string, bytes: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.end(bytes));
    let got = "";
    s.on("data", (c) => (got += c));
    s.on("close", () => resolve(got.split("\r\n")[0] ?? ""));
    s.on("error", () => resolve(got.split("\r\n")[0] ?? "reset"));
  });
}

const HOSTILE_IDS = [
  "..",
  "%2e%2e",
  "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
  "..%2f..%2fetc",
  "core-1%2f..%2f..",
  "core-1%2F",
  "%00",
  "core-1%00",
  "%ff",
  "%E0%A4%A",
  ".git",
  "-rf",
  "core-1%20",
  "core-1;id",
  "%C3%A9",
  "x".repeat(300),
  "%252e%252e",
];

const ROUTES: Array<[string, (t: string, d: string) => string]> = [
  ["GET", (t) => `/api/v1/tenants/${t}/devices`],
  ["GET", (t, d) => `/api/v1/tenants/${t}/devices/${d}`],
  ["GET", (t, d) => `/api/v1/tenants/${t}/devices/${d}/history`],
  ["GET", (t) => `/api/v1/tenants/${t}/history`],
  ["GET", (t, d) => `/api/v1/tenants/${t}/devices/${d}/config`],
  ["GET", (t, d) => `/api/v1/tenants/${t}/devices/${d}/diff`],
  ["POST", (t, d) => `/api/v1/tenants/${t}/devices/${d}/backup`],
  ["POST", (t, d) => `/api/v1/tenants/${t}/devices/${d}/host-key/accept`],
  ["POST", (t, d) => `/api/v1/tenants/${t}/devices/${d}/unblock`],
  ["GET", (t) => `/api/v1/tenants/${t}/audit`],
  ["GET", (t) => `/git/${t}.git/info/refs?service=git-upload-pack`],
];

/** Hostile clients: whatever arrives, a 4xx JSON error, no 500, no crash, nothing of another tenant. */
describe("hostile clients: malformed ids, traversal, bad headers and tokens", function () {
  this.timeout(120_000);
  let api: ApiServer;
  const NOT_FOUND = JSON.stringify({ error: { code: "not_found", message: "not found" } });

  before(async () => {
    api = await startApi();
    await importFixture(api, "core-1", "v7.18.2-wifi.rsc", "2025-03-01T10:00:00Z");
    await importFixture(api, "core-1", "v7.18.2-wifi.rsc", "2025-03-01T10:00:00Z", "other");
  });
  after(() => api?.close());

  it("every route × hostile tenant and device ids × every kind of token: 4xx JSON, never 5xx", async () => {
    let requests = 0;
    for (const [method, route] of ROUTES) {
      for (const bad of HOSTILE_IDS) {
        for (const [tenant, device] of [[bad, "core-1"], ["acme", bad]] as const) {
          if (route(tenant, device) === route("acme", "core-1")) continue; // a route without a device segment
          for (const token of [api.tokens.admin, api.tokens.other, null]) {
            const r = await raw(api.url, method, route(tenant, device), token ? bearer(token) : {});
            requests++;
            const where = `${method} ${route(tenant, device)} (${token === api.tokens.admin ? "admin" : token ? "other tenant" : "no token"})`;
            assert.ok(r.status >= 400 && r.status < 500, `${where}: ${r.status} ${r.body.slice(0, 200)}`);
            const body = JSON.parse(r.body) as { error?: { code?: string } };
            assert.ok(body.error?.code, `${where}: a JSON error`);
            // Nobody but acme's own token can tell acme's devices from nothing.
            if (token === api.tokens.other && r.status === 404) assert.equal(r.body, NOT_FOUND, where);
          }
        }
      }
    }
    assert.ok(requests > 700, `requests: ${requests}`);
  });

  it("traversal in query parameters is a 400 naming the parameter", async () => {
    const base = "/api/v1/tenants/acme/devices/core-1";
    for (const [pathAndQuery, param] of [
      [`${base}/config?at=..%2F..%2Fother.git`, "at"],
      [`${base}/config?at=HEAD`, "at"],
      [`${base}/config?at=main~1`, "at"],
      [`${base}/config?at=${"a".repeat(41)}`, "at"],
      [`${base}/diff?from=..&to=HEAD`, "from"],
      [`${base}/diff?to=--output=/tmp/x`, "to"],
      [`${base}/diff?from=%00`, "from"],
      [`${base}/history?before=-n`, "before"],
      [`${base}/history?limit=1e3`, "limit"],
      [`${base}/history?limit=10&limit=20`, "limit"],
    ] as const) {
      const r = await raw(api.url, "GET", pathAndQuery, bearer(api.tokens.admin));
      assert.equal(r.status, 400, `${pathAndQuery}: ${r.body}`);
      assert.ok((JSON.parse(r.body) as { error: { message: string } }).error.message.startsWith(`${param}:`), `${pathAndQuery}: ${r.body}`);
    }
  });

  it("a commit of another tenant is not found through acme, even with its exact id", async () => {
    const history = await fetch(`${api.url}/api/v1/tenants/other/devices/core-1/history`, { headers: bearer(api.tokens.other) });
    const commit = ((await history.json()) as { entries: Array<{ commit: string }> }).entries[0]!.commit;
    assert.match(commit, /^[0-9a-f]{40}$/);
    for (const q of [`config?at=${commit}`, `diff?to=${commit}`, `diff?from=${commit}`]) {
      const r = await raw(api.url, "GET", `/api/v1/tenants/acme/devices/core-1/${q}`, bearer(api.tokens.admin));
      assert.ok(r.status === 400 || r.status === 404, `${q}: ${r.status}`);
      assert.ok(!r.body.includes("/ip"), "no config text of the other tenant");
    }
  });

  it("malformed Authorization headers are 401, never 500", async () => {
    for (const value of ["Bearer", "Bearer ", "Bearer  ", `Bearer ${api.tokens.admin} extra`, `bearer ${api.tokens.admin}x`, "Basic Og==", "Basic !!!", `Token ${api.tokens.admin}`, "Bearer \u00ff\u00fe", `Bearer ${"A".repeat(8000)}`]) {
      const r = await raw(api.url, "GET", "/api/v1/tenants/acme/devices", { authorization: value });
      assert.equal(r.status, 401, `${JSON.stringify(value.slice(0, 40))}: ${r.status}`);
      assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, "unauthorized");
    }
  });

  it("oversized headers, bad content-length and garbage request lines are refused at the HTTP layer; the server lives on", async () => {
    const huge = await wire(api.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 431 /);
    assert.match(await wire(api.url, "POST /api/v1/tenants/acme/devices/core-1/backup HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"), /^HTTP\/1\.1 400 /);
    assert.match(await wire(api.url, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"), /^HTTP\/1\.1 400 /);
    assert.match(await wire(api.url, "\x00\x01\x02 garbage\r\n\r\n"), /^HTTP\/1\.1 400 /);
    const health = await fetch(`${api.url}/healthz`);
    assert.equal(health.status, 200);
  });

  it("a wrong token costs the same work as a right one: hashed, then compared in constant time against every token", async () => {
    // Not a timing measurement (noisy machines): the construction is checked instead.
    // authenticate() hashes the presented token (so no prefix of a real token is ever compared)
    // and runs timingSafeEqual over every configured token of every tenant.
    const config = api.ctx.config();
    const total = [...config.tenants.values()].reduce((n, t) => n + t.tokens.length, 0);
    const seen: number[] = [];
    for (const [token, kind] of [[api.tokens.admin, "ok"], [api.tokens.other, "foreign"], ["wrong", "unauthenticated"]] as const) {
      let calls = 0;
      const counting = (a: Buffer, b: Buffer) => {
        calls++;
        return timingSafeEqual(a, b);
      };
      assert.equal(authenticate(config, "acme", token, counting).kind, kind);
      seen.push(calls);
    }
    assert.deepEqual(seen, [total, total, total], "every token compared, whatever the outcome");
  });
});
