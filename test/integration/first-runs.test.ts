import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { stableOffsetMs } from "../../src/scheduler/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { cliAsync, keygen, writeConfig } from "../helpers/cli.js";
import { startDevices, TEST_PASSWORD } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const newToken = () => randomBytes(18).toString("base64url");
const exportsOf = (sim: Simulator, id: string) => sim.devices.get(id)!.stats.commands.filter((c) => c.includes("/export")).length;

/**
 * A new user's first hour: new routers are backed up soon, not at a slot up
 * to an interval (6 h) away; every enabled device shows when it runs next;
 * and "back up all now" exists, rate-limited and audited.
 */
describe("first runs soon, next run always shown, back up all now", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let svc: RunningService;
  let dir: string;
  let file: string;
  const tokens = { admin: newToken(), operator: newToken(), viewer: newToken() };
  const env = { ROUTER_PASSWORD: TEST_PASSWORD };
  const get = async (p: string, token = tokens.viewer) => (await (await fetch(`${svc.url}/api/v1/tenants/acme${p}`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
  const post = (p: string, token: string) => fetch(`${svc.url}/api/v1/tenants/acme${p}`, { method: "POST", headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    sim = await startDevices(3);
    dir = tempDir();
    file = writeConfig(dir, {
      recipient: keygen(dir).recipient,
      devices: [0, 1, 2].map((i) => ({ id: `dev-${i}`, port: sim.devices.get(`dev-${i}`)!.port, ...(i === 0 && { group: "fra" }) })),
      // A 6 h interval: without first runs soon, these routers would wait hours for their first backup.
      extra: "schedule: { interval: 6h, first_run_window: 3s, connect_timeout: 5s, command_timeout: 20s, backoff: [1h] }",
      tenantExtra: `    tokens:\n${Object.entries(tokens).map(([role, t]) => `      - { name: ${role}-token, role: ${role}, sha256: "${sha(t)}" }`).join("\n")}\n`,
    });
    writeFileSync(file, readFileSync(file, "utf8").replace("password: not-a-real-secret", "password_env: ROUTER_PASSWORD"));
    svc = await startService(loadConfig(readFileSync(file, "utf8"), { baseDir: dir }), env, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 100 } });
  });
  after(async () => {
    await svc?.close();
    await sim?.stop();
  });

  it("a device never backed up shows its next run at once, and is backed up within the first-run window, not hours later", async () => {
    const started = Date.now();
    const fleet = await get("/devices");
    for (const d of fleet.devices) {
      if (d.status !== "never") continue;
      assert.notEqual(d.next_run, null, `${d.id}: next_run of an enabled device`);
      assert.ok(Date.parse(d.next_run) <= started + 3_000 + 1_000, `${d.id} runs within the window: ${d.next_run}`);
    }
    await until("every new device's first backup", 90_000, async () => ((await get("/devices")).devices.every((d: any) => d.status === "ok") ? true : undefined));
    // Then each joins its regular slot: the stable offset on its 6 h grid.
    const SIX_HOURS = 6 * 3_600_000;
    for (const d of (await get("/devices")).devices) assert.equal((Date.parse(d.next_run) - stableOffsetMs("acme", d.id, SIX_HOURS)) % SIX_HOURS, 0, `${d.id} then waits for its regular slot`);
  });

  it("back up all now (operator): every device of the tenant, or of one group; once a minute; audited; a viewer is refused", async () => {
    const before = [0, 1, 2].map((i) => exportsOf(sim, `dev-${i}`));
    assert.equal((await post("/backup", tokens.viewer)).status, 403);
    const res = await post("/backup", tokens.operator);
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { scheduled: 3, group: null });
    await until("every device backed up again", 60_000, () => ([0, 1, 2].every((i) => exportsOf(sim, `dev-${i}`) > before[i]!) ? true : undefined));
    const again = await post("/backup", tokens.operator);
    assert.equal(again.status, 429);
    assert.match(again.headers.get("retry-after") ?? "", /^\d+$/);
    const group = await post("/backup?group=fra", tokens.operator);
    assert.equal(group.status, 202);
    assert.deepEqual(await group.json(), { scheduled: 1, group: "fra" });
    assert.equal((await post("/backup?group=../x", tokens.operator)).status, 400);
    const entries = (await get("/audit?limit=100", tokens.admin)).entries as any[];
    const all = entries.filter((e) => e.action === "backup.all");
    const runs = all.map((e) => [e.actor, e.details.group ?? null, e.details.scheduled]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
    assert.deepEqual(runs, [["operator-token", "fra", 1], ["operator-token", null, 3]]);
  });

  it("rosarchive backup --all backs up every enabled device of a tenant (or group), one JSON line each, and audits the run", async () => {
    const r = await cliAsync(["backup", "-c", file, "acme", "--all", "--group", "fra"], { env });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [l.device, l.result]), [["dev-0", "unchanged"]]);
    const entries = (await get("/audit?limit=100", tokens.admin)).entries as any[];
    assert.ok(entries.some((e) => e.action === "backup.all" && e.actor === "cli" && e.details.group === "fra"), "the CLI run is in the audit log");
    const usage = await cliAsync(["backup", "-c", file, "acme/dev-0", "--group", "fra"], { env });
    assert.match(usage.stderr, /--group goes with --all/);
    assert.equal(path.basename(file), "config.yaml");
  });
});
