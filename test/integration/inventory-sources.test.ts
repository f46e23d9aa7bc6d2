import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { readConfigFile } from "../../src/cli/load.js";
import { silentLogger } from "../../src/observe/index.js";
import { generateIdentityPair } from "../../src/seal/index.js";
import { AuditLog } from "../../src/store/index.js";
import { bearer, getJson } from "../helpers/api.js";
import { cliAsync } from "../helpers/cli.js";
import { FIXTURES, REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { git } from "../helpers/git.js";
import { importExport } from "../../src/pipeline/index.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const recorded = (name: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, "test/fixtures/netbox", name), "utf8"));

/** A local HTTP server on 127.0.0.1:0 answering with `handle`, recording every request. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; requests: IncomingMessage[]; close(): Promise<void> }> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/**
 * A real service whose tenant `acme` has the given inventory sources. Its
 * devices are disabled by the tenant's defaults: these tests look at the
 * inventory, and never reach for the (made-up) addresses the sources list.
 */
async function startWith(inventory: string, env: NodeJS.ProcessEnv = {}): Promise<{ service: RunningService; dir: string; configFile: string; admin: string; api: (p: string) => ReturnType<typeof getJson> }> {
  const dir = tempDir("rosarchive-inventory-");
  const pair = await generateIdentityPair();
  const admin = randomBytes(18).toString("base64url");
  const configFile = path.join(dir, "config.yaml");
  writeFileSync(
    configFile,
    `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
encryption:
  recipients: [${pair.recipient}]
credentials:
  netops: { username: backup, password_env: ROUTER_PASSWORD }
tenants:
  acme:
    defaults: { enabled: false, credentials: netops }
    inventory:
${inventory}
    tokens:
      - { name: admin, role: admin, sha256: "${sha(admin)}" }
`,
  );
  const service = await startService(readConfigFile(configFile), env, { log: silentLogger(), scheduler: { tickMs: 200 } });
  const api = (p: string) => getJson(`${service.url}/api/v1/tenants/acme${p}`, bearer(admin));
  return { service, dir, configFile, admin, api };
}

const ids = (r: { body: any }) => r.body.devices.map((d: any) => d.id);

describe("inventory sources against local servers", function () {
  this.timeout(120_000);
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  it("http: maps the JSON list, sends the bearer token from env, and honours ETag (304 keeps the list)", async () => {
    let body = JSON.stringify({ routers: [{ name: "r1", mgmt: { ip: "192.0.2.1" }, pop: "fra" }, { name: "r2", mgmt: { ip: "192.0.2.2" } }] });
    let etag = '"v1"';
    const cmdb = await serve((req, res) => {
      if (req.headers.authorization !== "Bearer s3cret-token") return void res.writeHead(401).end();
      if (req.headers["if-none-match"] === etag) return void res.writeHead(304, { ETag: etag }).end();
      res.writeHead(200, { "Content-Type": "application/json", ETag: etag }).end(body);
    });
    stops.push(cmdb.close);
    const s = await startWith(`      - { type: http, name: cmdb, url: "${cmdb.url}/routers", items: routers, fields: { id: name, host: mgmt.ip, group: pop }, token_env: CMDB_TOKEN, interval: 1s }`, { CMDB_TOKEN: "s3cret-token" });
    stops.push(() => s.service.close());
    const first = await until("the http source's devices", 30_000, async () => {
      const r = await s.api("/devices");
      return r.body.devices.length === 2 ? r : undefined;
    });
    assert.deepEqual(first.body.devices.map((d: any) => [d.id, d.host, d.group, d.source, d.enabled]), [["r1", "192.0.2.1", "fra", "cmdb", false], ["r2", "192.0.2.2", null, "cmdb", false]]);
    // Later reads ask with If-None-Match and get 304: the list stays.
    await until("a 304", 30_000, () => (cmdb.requests.some((r) => r.headers["if-none-match"] === '"v1"') ? true : undefined));
    const status = await until("not_modified recorded", 30_000, async () => {
      const r = await s.api("/inventory");
      return r.body.sources[0].result === "not_modified" ? r : undefined;
    });
    assert.equal(status.body.sources[0].state, "ok");
    assert.deepEqual(ids(await s.api("/devices")), ["r1", "r2"]);
    // A new answer (new ETag) is applied.
    body = JSON.stringify({ routers: [{ name: "r1", mgmt: { ip: "192.0.2.1" } }, { name: "r2", mgmt: { ip: "192.0.2.2" } }, { name: "r3", mgmt: { ip: "192.0.2.3" } }] });
    etag = '"v2"';
    await until("r3 listed", 30_000, async () => (ids(await s.api("/devices")).includes("r3") ? true : undefined));
    // The token never reaches the state files.
    assert.doesNotMatch(readFileSync(path.join(s.dir, "state/inventory/acme/cmdb.json"), "utf8"), /s3cret/);
  });

  it("netbox: pages through recorded answers with the filters in the query string; primary IP as host, site slug as site", async () => {
    const devices = recorded("devices.json").results as any[];
    const vms = recorded("virtual_machines.json").results as any[];
    const netbox = await serve((req, res) => {
      if (req.headers.authorization !== "Token 0123456789abcdef0123456789abcdef01234567") return void res.writeHead(403).end('{"detail":"Invalid token"}');
      const u = new URL(req.url!, "http://x");
      const all = u.pathname === "/api/dcim/devices/" ? devices : u.pathname === "/api/virtualization/virtual-machines/" ? vms : null;
      if (!all) return void res.writeHead(404).end();
      // Filters as NetBox applies them: site and platform by slug.
      const site = u.searchParams.getAll("site");
      const platform = u.searchParams.getAll("platform");
      const hits = all.filter((d) => (site.length === 0 || site.includes(d.site?.slug)) && (platform.length === 0 || platform.includes(d.platform?.slug)));
      const limit = Number(u.searchParams.get("limit") ?? 50);
      const offset = Number(u.searchParams.get("offset") ?? 0);
      const next = offset + limit < hits.length ? new URL(`${u.pathname}?${new URLSearchParams([...u.searchParams.entries()].filter(([k]) => k !== "offset").concat([["offset", String(offset + limit)]]))}`, "http://localhost:8000").toString() : null;
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ count: hits.length, next, previous: null, results: hits.slice(offset, offset + limit) }));
    });
    stops.push(netbox.close);
    const s = await startWith(
      `      - { type: netbox, name: netbox, url: "${netbox.url}", token_env: NETBOX_TOKEN, filter: { site: test1, platform: juniper-junos }, virtual_machines: true, page_size: 2, interval: 1h }`,
      { NETBOX_TOKEN: "0123456789abcdef0123456789abcdef01234567" },
    );
    stops.push(() => s.service.close());
    const r = await until("the NetBox devices", 30_000, async () => {
      const got = await s.api("/devices");
      return got.body.devices.length > 0 ? got : undefined;
    });
    assert.deepEqual(r.body.devices.map((d: any) => [d.id, d.host, d.site, d.source]), [
      ["test1-core1", "10.0.254.1", "test1", "netbox"],
      ["test1-core2", "10.0.254.2", "test1", "netbox"],
      ["test1-edge1", "10.0.255.1", "test1", "netbox"],
      ["test1-edge2", "10.0.255.2", "test1", "netbox"],
    ]);
    // 8 juniper-junos devices at test1 in pages of 2 (4 pages), then the machines (1 page); every request carried the filters.
    const deviceRequests = netbox.requests.filter((q) => q.url!.startsWith("/api/dcim/devices/"));
    assert.equal(deviceRequests.length, 4);
    for (const q of deviceRequests) {
      const u = new URL(q.url!, "http://x");
      assert.deepEqual([u.searchParams.get("site"), u.searchParams.get("platform"), u.searchParams.get("limit")], ["test1", "juniper-junos", "2"]);
    }
    assert.deepEqual(deviceRequests.map((q) => new URL(q.url!, "http://x").searchParams.get("offset")), [null, "2", "4", "6"]);
    assert.equal(netbox.requests.filter((q) => q.url!.startsWith("/api/virtualization/virtual-machines/")).length, 1);
    const status = (await s.api("/inventory")).body.sources[0];
    assert.deepEqual([status.state, status.devices, status.skipped_count], ["ok", 4, 4]);
    assert.ok(status.skipped.some((x: any) => x.row === "device 4 (test1-leaf1)" && x.reason === "it has no primary IP"));
    // The recorded machine has no site: NetBox's site filter leaves it out, as it did here.
    assert.equal(new URL(netbox.requests.find((q) => q.url!.startsWith("/api/virtualization/"))!.url!, "http://x").searchParams.get("site"), "test1");
    // Filters narrow the list: the site filter on a site with no devices answers an empty list, which a first sync accepts.
    assert.equal((await s.api("/devices?site=test1")).body.devices.length, 4);
    assert.equal((await s.api("/devices?site=elsewhere")).body.devices.length, 0);
  });

  it("a failing source keeps its last good list, shows failing (API, metric, event) and recovers", async () => {
    let broken = false;
    const cmdb = await serve((_req, res) => {
      if (broken) return void res.writeHead(500).end("oops");
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify([{ id: "r1", host: "192.0.2.1" }, { id: "r2", host: "192.0.2.2" }]));
    });
    stops.push(cmdb.close);
    const s = await startWith(`      - { type: http, name: cmdb, url: "${cmdb.url}/", fields: { id: id, host: host }, interval: 1s }`);
    stops.push(() => s.service.close());
    await until("two devices", 30_000, async () => ((await s.api("/devices")).body.devices.length === 2 ? true : undefined));
    broken = true;
    const failing = await until("the source failing", 30_000, async () => {
      const r = await s.api("/inventory");
      return r.body.sources[0].state === "failing" ? r.body.sources[0] : undefined;
    });
    assert.equal(failing.last_error.code, "source_failed");
    assert.match(failing.last_error.message, /answered HTTP 500/);
    assert.equal(failing.devices, 2);
    assert.deepEqual(ids(await s.api("/devices")), ["r1", "r2"]);
    const metrics = await (await fetch(`${s.service.url}/metrics`)).text();
    assert.match(metrics, /^rosarchive_inventory_source_up\{tenant="acme",source="cmdb"\} 0$/m);
    assert.match(metrics, /^rosarchive_inventory_syncs_total\{tenant="acme",source="cmdb",result="failed"\} [1-9]/m);
    // One event per transition, not one per failed read.
    await new Promise((r) => setTimeout(r, 2500));
    const events = () => s.service.bus.since("acme", 0).map((m) => JSON.parse(m.data));
    assert.deepEqual(events().filter((e) => e.event === "inventory.failed").map((e) => [e.source, e.error.code]), [["cmdb", "source_failed"]]);
    // The source answers again: recovered, one event.
    broken = false;
    await until("recovered", 30_000, async () => ((await s.api("/inventory")).body.sources[0].state === "ok" ? true : undefined));
    await until("the recovered event", 30_000, () => (events().some((e) => e.event === "inventory.recovered") ? true : undefined));
    assert.equal(events().filter((e) => e.event === "inventory.recovered").length, 1);
  });

  it("a restart serves the last good list at once with the source down; without it, nothing is retired (an unknown list is not an empty one)", async () => {
    const cmdb = await serve((_req, res) => res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify([{ id: "r1", host: "192.0.2.1" }, { id: "r2", host: "192.0.2.2" }])));
    const inventory = `      - { type: http, name: cmdb, url: "${cmdb.url}/", fields: { id: id, host: host }, interval: 1h }`;
    const first = await startWith(inventory);
    await first.service.inventory.service.sync("acme", "cmdb");
    // r1 has a snapshot in the archive.
    const r1 = first.service.ctx.config().tenants.get("acme")!.deviceById.get("r1")!;
    await importExport(first.service.ctx, r1, path.join(FIXTURES, "v7.17.2-chr-verbose-sensitive.rsc"), Date.parse("2026-01-02T03:04:05Z"));
    await first.service.close();
    await cmdb.close();

    // The source is down: the restarted service lists r1 and r2 before any read, then shows the source failing.
    const again = await startService(readConfigFile(first.configFile), {}, { log: silentLogger() });
    stops.push(() => again.close());
    const api = (p: string) => getJson(`${again.url}/api/v1/tenants/acme${p}`, bearer(first.admin));
    assert.deepEqual(ids(await api("/devices")), ["r1", "r2"]);
    await until("the source failing", 30_000, async () => ((await api("/inventory")).body.sources[0].state === "failing" ? true : undefined));
    assert.deepEqual(ids(await api("/devices")), ["r1", "r2"]);
    await again.close();
    stops.pop();

    // Its state lost too: no list is known, so r1's file stays (it is not retired) until the source answers.
    rmSync(path.join(first.dir, "state/inventory"), { recursive: true, force: true });
    const blind = await startService(readConfigFile(first.configFile), {}, { log: silentLogger() });
    stops.push(() => blind.close());
    const blindApi = (p: string) => getJson(`${blind.url}/api/v1/tenants/acme${p}`, bearer(first.admin));
    assert.deepEqual(ids(await blindApi("/devices")), []);
    await until("the source failing", 30_000, async () => ((await blindApi("/inventory")).body.sources[0].state === "failing" ? true : undefined));
    await blind.inventory.retirer.sweep();
    const gitDir = path.join(first.dir, "repos/acme.git");
    assert.equal(git(gitDir, ["log", "-1", "--format=%s", "main", "--", "r1.rsc"]).trim(), "r1: initial snapshot");
    assert.equal((await blindApi("/devices?state=retired")).body.devices.length, 0);
  });

  it("a mass removal is refused until an admin confirms it, by API (with the digest shown) or CLI; both audited", async () => {
    const csv = (n: number, from = 0) => `id,host\n${Array.from({ length: n }, (_, i) => `r${from + i},192.0.2.${from + i + 1}`).join("\n")}\n`;
    const s = await startWith(`      - { type: file, name: cmdb, path: ./routers.csv, interval: 1h }`);
    writeFileSync(path.join(s.dir, "routers.csv"), csv(10));
    stops.push(() => s.service.close());
    await s.service.inventory.service.sync("acme", "cmdb");
    assert.equal((await s.api("/devices")).body.devices.length, 10);

    // An export gone wrong: 4 rows left. Removing 6 of 10 is more than 10 %: refused, nothing removed.
    writeFileSync(path.join(s.dir, "routers.csv"), csv(4));
    assert.equal(await s.service.inventory.service.sync("acme", "cmdb"), "refused");
    assert.equal((await s.api("/devices")).body.devices.length, 10);
    const refused = (await s.api("/inventory")).body.sources[0];
    assert.equal(refused.state, "refused");
    assert.deepEqual(refused.refused_removal.devices, ["r4", "r5", "r6", "r7", "r8", "r9"]);
    assert.deepEqual([refused.refused_removal.count, refused.refused_removal.tenant_devices, refused.refused_removal.share], [6, 10, 0.6]);
    const event = s.service.bus.since("acme", 0).map((m) => JSON.parse(m.data)).find((e) => e.event === "inventory.removal_refused");
    assert.deepEqual([event.source, event.removal.count, event.removal.digest], ["cmdb", 6, refused.refused_removal.digest]);
    // Reading again does not apply it either.
    assert.equal(await s.service.inventory.service.sync("acme", "cmdb"), "refused");

    // A confirmation of another removal than the one shown is refused; the digest shown applies it.
    const base = `${s.service.url}/api/v1/tenants/acme/inventory/cmdb/confirm`;
    const stale = await fetch(`${base}?digest=0000000000000000`, { method: "POST", headers: bearer(s.admin) });
    assert.equal(stale.status, 409);
    const unknown = await fetch(`${s.service.url}/api/v1/tenants/acme/inventory/nope/confirm`, { method: "POST", headers: bearer(s.admin) });
    assert.equal(unknown.status, 404);
    const ok = await fetch(`${base}?digest=${refused.refused_removal.digest}`, { method: "POST", headers: bearer(s.admin) });
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as any).removed, ["r4", "r5", "r6", "r7", "r8", "r9"]);
    assert.deepEqual(ids(await s.api("/devices")), ["r0", "r1", "r2", "r3"]);
    assert.equal((await s.api("/inventory")).body.sources[0].state, "ok");
    assert.equal((await fetch(base, { method: "POST", headers: bearer(s.admin) })).status, 409); // nothing left to confirm

    // Again, confirmed from the command line this time: the running service applies and audits it.
    writeFileSync(path.join(s.dir, "routers.csv"), csv(1));
    assert.equal(await s.service.inventory.service.sync("acme", "cmdb"), "refused");
    const status = await cliAsync(["inventory", "status", "-c", s.configFile, "acme"]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /cmdb \(file\): refused, 4 devices/);
    assert.match(status.stdout, /refused removal of 3 of 4 devices .*: r1, r2, r3/);
    const confirm = await cliAsync(["inventory", "confirm", "-c", s.configFile, "acme", "cmdb", "--wait", "60"], { env: { USER: "alice" } });
    assert.equal(confirm.code, 0, confirm.stderr);
    assert.match(confirm.stdout, /applied by the running serve/);
    assert.deepEqual(ids(await s.api("/devices")), ["r0"]);

    const audit = new AuditLog(path.join(s.dir, "state"));
    const entries = (await audit.list("acme", 100)).filter((e) => e.action === "inventory.confirmed");
    assert.deepEqual(
      entries.map((e) => [e.actor, (e.details as any).via, (e.details as any).count]),
      [["cli:alice", "cli", 3], ["admin", "api", 6]],
    );
    assert.equal((await audit.verify("acme")).ok, true);
    // Nothing to confirm: the CLI says so.
    const none = await cliAsync(["inventory", "confirm", "-c", s.configFile, "acme", "cmdb"]);
    assert.equal(none.code, 1);
    assert.match(none.stdout + none.stderr, /no refused removal to confirm/);
  });
});
