import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { git } from "../helpers/git.js";
import { bearer, getJson, importFixture, importText, startApi, type ApiServer } from "../helpers/api.js";
import { FIXTURES } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const V7 = "v7.17.2-chr-verbose-sensitive.rsc";
const V6 = "v6.46.6-crs125.rsc";
const PRIVATE_KEY = "yGQ3FH40WUmzvhHvXI3h/1VaVCRaswXXhOtRQTjymUg=";
const PINNED = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
const PRESENTED = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";

/** The v7 fixture with one pool range and the identity changed: +2 -2 in two sections. */
function v7Changed(): string {
  return readFileSync(path.join(FIXTURES, V7), "utf8")
    .replace("ranges=192.168.11.200-192.168.11.249", "ranges=192.168.11.100-192.168.11.249")
    .replace("set name=MikroTik", "set name=core-1");
}

/** Raw request: the URL path is sent exactly as given (fetch would normalize `..`). */
function rawGet(url: string, rawPath: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: rawPath, method: "GET", headers }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("api: routes, roles, tenancy", function () {
  this.timeout(60_000);
  let api: ApiServer;
  let c1: string; // core-1 first snapshot
  let c2: string; // core-1 second snapshot
  let e1: string; // edge-2 first snapshot
  let base: string;

  before(async () => {
    api = await startApi({ limits: "  manual_backups_per_minute: 5" });
    c1 = await importFixture(api, "core-1", V7, "2025-03-01T10:00:00Z");
    c2 = (await importText(api, "core-1", v7Changed(), "2025-03-02T11:30:05Z")).commit;
    e1 = await importFixture(api, "edge-2", V6, "2025-03-03T00:00:00Z");
    base = `${api.url}/api/v1/tenants/acme`;
  });
  after(() => api.close());

  it("GET /healthz answers without a token", async () => {
    const r = await getJson(`${api.url}/healthz`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: "ok" });
  });

  it("lists devices with their state", async () => {
    const r = await getJson(`${base}/devices`, bearer(api.tokens.viewer));
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.devices.map((d: any) => [d.id, d.group, d.path, d.status]),
      [
        // Archived by import only: a configuration is on record, so not "never".
        ["core-1", "fra", "fra/core-1.rsc", "ok"],
        ["edge-2", null, "edge-2.rsc", "ok"],
      ],
    );
    assert.deepEqual(Object.keys(r.body.devices[0]), ["id", "source", "site", "group", "host", "port", "enabled", "path", "status", "retired_at", "retired_commit", "last_attempt", "last_success", "last_change", "last_change_commit", "last_error", "next_run", "routeros_version", "warning", "policy"]);
  });

  it("shows one device with its host key fields", async () => {
    const r = await getJson(`${base}/devices/core-1`, bearer(api.tokens.viewer));
    assert.equal(r.status, 200);
    assert.equal(r.body.id, "core-1");
    assert.ok("host_key" in r.body && "presented_host_key" in r.body);
  });

  it("device history: newest first, stats and sections from the whole file", async () => {
    const r = await getJson(`${base}/devices/core-1/history`, bearer(api.tokens.viewer));
    assert.equal(r.status, 200);
    const [a, b] = r.body.entries;
    assert.equal(r.body.entries.length, 2);
    assert.equal(a.commit, c2);
    assert.equal(a.parent, c1);
    assert.equal(a.time, "2025-03-02T11:30:05Z");
    assert.equal(a.trigger, "import");
    assert.equal(a.routeros_version, "7.17.2");
    assert.deepEqual(a.stats, { added: 2, removed: 2 });
    assert.deepEqual(a.sections, [
      { section: "/ip pool", added: 1, removed: 1 },
      { section: "/system identity", added: 1, removed: 1 },
    ]);
    assert.match(a.summary, /^\+2 -2 in \/ip pool/);
    assert.equal(b.commit, c1);
    assert.equal(b.summary, "initial snapshot");
    assert.equal(b.stats.removed, 0);
    assert.ok(b.stats.added > 100);
    assert.equal(r.body.next, null);
  });

  it("pages with limit and an exclusive before cursor", async () => {
    const p1 = await getJson(`${base}/devices/core-1/history?limit=1`, bearer(api.tokens.viewer));
    assert.deepEqual(p1.body.entries.map((e: any) => e.commit), [c2]);
    assert.equal(p1.body.next, c2);
    const p2 = await getJson(`${base}/devices/core-1/history?limit=1&before=${p1.body.next}`, bearer(api.tokens.viewer));
    assert.deepEqual(p2.body.entries.map((e: any) => e.commit), [c1]);
    const p3 = await getJson(`${base}/devices/core-1/history?limit=1&before=${c1}`, bearer(api.tokens.viewer));
    assert.deepEqual(p3.body.entries, []);
  });

  it("tenant timeline names the device and leaves out the repository's README commit", async () => {
    const r = await getJson(`${base}/history`, bearer(api.tokens.viewer));
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.entries.map((e: any) => [e.device, e.commit]), [
      ["edge-2", e1],
      ["core-1", c2],
      ["core-1", c1],
    ]);
    const p = await getJson(`${base}/history?limit=2&before=${e1}`, bearer(api.tokens.viewer));
    assert.deepEqual(p.body.entries.map((e: any) => e.commit), [c2, c1]);
  });

  it("config download: sealed text as archived, named after Collected-At", async () => {
    const res = await fetch(`${base}/devices/core-1/config?at=${c1}`, { headers: bearer(api.tokens.viewer) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/plain/);
    assert.equal(res.headers.get("content-disposition"), 'attachment; filename="core-1-20250301T100000Z.rsc"');
    const text = await res.text();
    assert.equal(text, git(path.join(api.dir, "repos/acme.git"), ["show", `${c1}:fra/core-1.rsc`]));
    assert.match(text, /private-key=age:/);
    assert.ok(!text.includes(PRIVATE_KEY));
    const latest = await fetch(`${base}/devices/core-1/config`, { headers: bearer(api.tokens.viewer) });
    assert.equal(latest.headers.get("content-disposition"), 'attachment; filename="core-1-20250302T113005Z.rsc"');
  });

  it("config decrypt=true: admin gets the exact normalized export; viewer 403", async () => {
    const viewer = await getJson(`${base}/devices/core-1/config?at=${c1}&decrypt=true`, bearer(api.tokens.viewer));
    assert.equal(viewer.status, 403);
    const res = await fetch(`${base}/devices/core-1/config?at=${c1}&decrypt=true`, { headers: bearer(api.tokens.admin) });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), readFileSync(path.join(FIXTURES, V7.replace(".rsc", ".normalized.rsc")), "utf8"));
  });

  it("config: a commit of another device is 404, an unknown commit is 400 naming `at`", async () => {
    const other = await getJson(`${base}/devices/core-1/config?at=${e1}`, bearer(api.tokens.viewer));
    assert.equal(other.status, 404);
    const unknown = await getJson(`${base}/devices/core-1/config?at=${"ab".repeat(20)}`, bearer(api.tokens.viewer));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, "bad_parameter");
    assert.match(unknown.body.error.message, /^at:/);
    const bad = await getJson(`${base}/devices/core-1/config?at=HEAD~1`, bearer(api.tokens.viewer));
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^at:/);
  });

  it("diff: text/x-diff exactly as git diff prints it; JSON with sections", async () => {
    const res = await fetch(`${base}/devices/core-1/diff`, { headers: bearer(api.tokens.viewer) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/x-diff/);
    assert.equal(await res.text(), git(path.join(api.dir, "repos/acme.git"), ["diff", c1, c2, "--", "fra/core-1.rsc"]));
    const j = await getJson(`${base}/devices/core-1/diff?to=${c2}`, { ...bearer(api.tokens.viewer), accept: "application/json" });
    assert.equal(j.status, 200);
    assert.deepEqual(j.body, {
      from: c1,
      to: c2,
      stats: { added: 2, removed: 2 },
      sections: [
        { section: "/ip pool", added: ["add name=inside-pool ranges=192.168.11.100-192.168.11.249"], removed: ["add name=inside-pool ranges=192.168.11.200-192.168.11.249"] },
        { section: "/system identity", added: ["set name=core-1"], removed: ["set name=MikroTik"] },
      ],
    });
    const other = await getJson(`${base}/devices/core-1/diff?to=${e1}`, bearer(api.tokens.viewer));
    assert.equal(other.status, 404);
    const bad = await getJson(`${base}/devices/core-1/diff?from=../../etc`, bearer(api.tokens.viewer));
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /^from:/);
  });

  it("bad parameters get 400 naming the parameter", async () => {
    for (const [query, param] of [
      ["limit=0", "limit"],
      ["limit=abc", "limit"],
      ["limit=201", "limit"],
      ["limit=-1", "limit"],
      ["before=../../x", "before"],
      [`before=${"0".repeat(40)}`, "before"],
    ] as const) {
      for (const url of [`${base}/devices/core-1/history?${query}`, `${base}/history?${query}`]) {
        const r = await getJson(url, bearer(api.tokens.viewer));
        assert.equal(r.status, 400, `${url}`);
        assert.equal(r.body.error.code, "bad_parameter");
        assert.ok(r.body.error.message.startsWith(`${param}:`), r.body.error.message);
      }
    }
  });

  it("no token or an unknown token: 401", async () => {
    for (const headers of [{}, bearer("not-a-token"), { authorization: "Basic eDp5" }]) {
      const r = await getJson(`${base}/devices`, headers);
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, "unauthorized");
    }
  });

  it("a token of another tenant learns nothing: the same 404 whether tenant or device exist", async () => {
    const urls = [
      `${base}/devices`,
      `${base}/devices/core-1`,
      `${base}/devices/nope`,
      `${base}/devices/core-1/history`,
      `${base}/devices/core-1/config`,
      `${base}/devices/core-1/diff`,
      `${base}/history`,
      `${base}/audit`,
      `${api.url}/api/v1/tenants/nope/devices`,
      `${api.url}/api/v1/tenants/nope/devices/core-1`,
    ];
    const bodies = new Set<string>();
    for (const url of urls) {
      const res = await fetch(url, { headers: bearer(api.tokens.other) });
      assert.equal(res.status, 404, url);
      bodies.add(await res.text());
    }
    const post = await fetch(`${base}/devices/core-1/backup`, { method: "POST", headers: bearer(api.tokens.other) });
    assert.equal(post.status, 404);
    bodies.add(await post.text());
    // acme's own token on an unknown tenant or device: the same answer again.
    bodies.add(await (await fetch(`${api.url}/api/v1/tenants/nope/devices`, { headers: bearer(api.tokens.admin) })).text());
    bodies.add(await (await fetch(`${base}/devices/nope`, { headers: bearer(api.tokens.admin) })).text());
    assert.equal(bodies.size, 1, [...bodies].join("\n"));
    assert.deepEqual(JSON.parse([...bodies][0]!), { error: { code: "not_found", message: "not found" } });
  });

  it("roles: viewer < operator < admin", async () => {
    const cases: Array<[string, string, string, number]> = [
      ["POST", `${base}/devices/core-1/backup`, api.tokens.viewer, 403],
      ["POST", `${base}/devices/core-1/host-key/accept`, api.tokens.viewer, 403],
      ["POST", `${base}/devices/core-1/host-key/accept`, api.tokens.operator, 403],
      ["GET", `${base}/audit`, api.tokens.viewer, 403],
      ["GET", `${base}/audit`, api.tokens.operator, 403],
      ["GET", `${base}/audit`, api.tokens.admin, 200],
      ["POST", `${base}/devices/core-1/unblock`, api.tokens.operator, 403],
      ["POST", `${base}/devices/core-1/host-key/accept?fingerprint=${encodeURIComponent(PRESENTED)}`, api.tokens.admin, 200],
    ];
    // core-1 blocked by a changed host key, so the admin's accept has something to accept.
    const s = await api.ctx.states.get("acme", "core-1");
    await api.ctx.states.put("acme", "core-1", { ...s, status: "blocked", last_error: { code: "host_key_mismatch", message: "changed" }, host_key: PINNED, presented_host_key: PRESENTED });
    for (const [method, url, token, status] of cases) {
      const res = await fetch(url, { method, headers: bearer(token) });
      assert.equal(res.status, status, `${method} ${url}`);
      const body = (await res.json()) as any;
      if (status === 403) assert.equal(body.error.code, "forbidden");
    }
    // The accept starts a backup at once (core-1 is unreachable here): let it end before the next test uses the device.
    await until("the accept's backup to end", 20_000, () => (api.ctx.locks.isBusy("acme", "core-1") ? undefined : true));
  });

  it("manual backup: 502 with the collection error code, 409 while busy, 429 over the per-minute budget", async () => {
    const r = await fetch(`${base}/devices/core-1/backup`, { method: "POST", headers: bearer(api.tokens.operator) });
    assert.equal(r.status, 502);
    assert.equal(((await r.json()) as any).error.code, "unreachable");

    let release!: () => void;
    const held = api.ctx.locks.runExclusive("acme", "core-1", () => new Promise<void>((resolve) => (release = resolve)));
    const busy = await fetch(`${base}/devices/core-1/backup`, { method: "POST", headers: bearer(api.tokens.operator) });
    release();
    await held;
    assert.equal(busy.status, 409);
    assert.equal(((await busy.json()) as any).error.code, "busy");

    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${base}/devices/edge-2/backup`, { method: "POST", headers: bearer(api.tokens.operator) })).status);
    assert.deepEqual(statuses, [502, 502, 502, 502, 502, 429]);
  });

  it("errors are JSON everywhere: unknown routes, bad URL encoding, oversized bodies", async () => {
    const unknown = await getJson(`${api.url}/api/v1/nope`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, "not_found");
    const enc = await rawGet(api.url, "/api/v1/tenants/acme/devices/%E0%A4%A", bearer(api.tokens.viewer));
    assert.ok(enc.status === 400 || enc.status === 404, String(enc.status));
    assert.ok(JSON.parse(enc.body).error.code);
    const big = await fetch(`${base}/devices/core-1/host-key/accept`, {
      method: "POST",
      headers: { ...bearer(api.tokens.admin), "content-type": "application/json" },
      body: Buffer.alloc(10 * 1024 * 1024, 0x20),
    });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as any).error.code, "payload_too_large");
    const badJson = await fetch(`${base}/devices/core-1/host-key/accept`, { method: "POST", headers: { ...bearer(api.tokens.admin), "content-type": "application/json" }, body: "{nope" });
    assert.ok(badJson.status < 500);
  });

  it("serves openapi.json (its agreement with the served routes, roles and answers: openapi.test.ts)", async () => {
    const doc = await getJson(`${api.url}/api/v1/openapi.json`);
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, "3.1.0");
    assert.ok(doc.body.paths["/api/v1/tenants/{tenant}/devices"]);
  });

  it("writes audit entries for reads, backups, host keys and denials", async () => {
    await api.flushDenied();
    const r = await getJson(`${base}/audit?limit=1000`, bearer(api.tokens.admin));
    assert.equal(r.status, 200);
    const actions = new Set(r.body.entries.map((e: any) => e.action));
    for (const a of ["config.read", "config.read_decrypted", "diff.read", "backup.manual", "hostkey.accepted", "auth.denied"]) assert.ok(actions.has(a), a);
    const first = r.body.entries[0];
    assert.deepEqual(Object.keys(first), ["time", "actor", "role", "ip", "action", "device", "details", "prev", "hash"]);
    const read = r.body.entries.find((e: any) => e.action === "config.read_decrypted");
    assert.equal(read.actor, "admin-token");
    assert.equal(read.role, "admin");
    assert.equal(read.device, "core-1");
    assert.equal((await api.audit.verify("acme")).ok, true);
    const bad = await getJson(`${base}/audit?limit=0`, bearer(api.tokens.admin));
    assert.equal(bad.status, 400);
    // Nothing of tenant acme's activity lands in tenant other's log, and vice versa.
    for (const e of await api.audit.list("other", 1000)) assert.notEqual(e.device, "edge-2");
  });

  it("reads the live config on every request (SIGHUP reload)", async () => {
    api.reload();
    const before = await getJson(`${base}/devices`, bearer(api.tokens.viewer));
    assert.equal(before.status, 200);
    // Same config text: tokens unchanged. Now a config where acme has no such token.
    const cfg = api.ctx.config();
    api.live.replace({ ...cfg, tenants: new Map([...cfg.tenants].map(([k, t]) => [k, k === "acme" ? { ...t, tokens: [] } : t])) });
    const after = await getJson(`${base}/devices`, bearer(api.tokens.viewer));
    api.live.replace(cfg);
    assert.equal(after.status, 401);
  });
});

describe("api: decrypted reads without an identity", function () {
  this.timeout(30_000);
  it("answers 409 no_identity", async () => {
    const api = await startApi({ identityFile: false });
    try {
      const c = await importFixture(api, "core-1", V7, "2025-03-01T10:00:00Z");
      const r = await getJson(`${api.url}/api/v1/tenants/acme/devices/core-1/config?at=${c}&decrypt=true`, bearer(api.tokens.admin));
      assert.equal(r.status, 409);
      assert.equal(r.body.error.code, "no_identity");
    } finally {
      await api.close();
    }
  });
});
