import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { startDevices, TEST_PASSWORD } from "../helpers/simulator.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/** `name{labels} value` lines of one metric, labels as written. */
function series(body: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of body.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, "gm"))) out.set(m[1] ?? "", Number(m[2]));
  return out;
}

describe("metrics: per-device freshness, dead letters and scheduler lag, computed at scrape time", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let svc: RunningService;
  let dir = "";
  let file = "";
  const operator = randomBytes(24).toString("base64url");

  before(async () => {
    sim = await startDevices(3);
    dir = tempDir();
    const keys = keygen(dir);
    file = writeConfig(dir, {
      recipient: keys.recipient,
      devices: [
        { id: "dev-0", port: sim.devices.get("dev-0")!.port, extra: "interval: 1h" },
        { id: "dev-1", port: sim.devices.get("dev-1")!.port },
        { id: "dev-2", port: sim.devices.get("dev-2")!.port, extra: "enabled: false" },
      ],
      extra: "schedule: { interval: 6h, first_run_window: 6h, connect_timeout: 3s, command_timeout: 5s, backoff: [1h] }",
      tenantExtra: `    tokens:\n      - { name: ops, role: operator, sha256: "${sha(operator)}" }\n`,
    });
    writeFileSync(file, readFileSync(file, "utf8").replace("password: not-a-real-secret", `password: "${TEST_PASSWORD}"`));
    svc = await startService(loadConfig(readFileSync(file, "utf8"), { baseDir: dir }), {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
  });
  after(async () => {
    await svc?.close();
    await sim?.stop();
  });

  const scrape = async () => (await fetch(`${svc.url}/metrics`)).text();
  const backup = async (d: string) => (await fetch(`${svc.url}/api/v1/tenants/acme/devices/${d}/backup`, { method: "POST", headers: { authorization: `Bearer ${operator}` } })).status;

  it("gives each device its last success, last change and interval; a device never backed up has no timestamps", async () => {
    assert.equal(await backup("dev-0"), 201);
    sim.setFault("dev-1", "wrong_password");
    assert.equal(await backup("dev-1"), 502);
    const body = await scrape();
    const state = JSON.parse(readFileSync(path.join(dir, "state/devices/acme/dev-0.json"), "utf8")) as { last_success: string; last_change: string };
    const success = series(body, "rosarchive_device_last_success_timestamp_seconds");
    const change = series(body, "rosarchive_device_last_change_timestamp_seconds");
    const interval = series(body, "rosarchive_device_interval_seconds");
    assert.deepEqual([...success.keys()], ['{tenant="acme",device="dev-0"}']);
    assert.equal(success.get('{tenant="acme",device="dev-0"}'), Date.parse(state.last_success) / 1000);
    assert.equal(change.get('{tenant="acme",device="dev-0"}'), Date.parse(state.last_change) / 1000);
    assert.deepEqual(Object.fromEntries(interval), { '{tenant="acme",device="dev-0"}': 3600, '{tenant="acme",device="dev-1"}': 21600 }, "a disabled device has no interval: no freshness alert");
    assert.equal(series(body, "rosarchive_devices").get('{tenant="acme",state="blocked"}'), 1);
  });

  it("counts dead letters per tenant from state_dir/outbox-dead, and reports the scheduler's lag", async () => {
    assert.equal(series(await scrape(), "rosarchive_webhook_dead_letters").get('{tenant="acme"}'), 0);
    const dead = path.join(dir, "state/outbox-dead/acme");
    mkdirSync(dead, { recursive: true });
    for (const n of ["00000000000000000001-a.json", "00000000000000000002-b.json"]) writeFileSync(path.join(dead, n), "{}");
    writeFileSync(path.join(dead, ".00000000000000000003-c.json.tmp"), "{}");
    const body = await scrape();
    assert.equal(series(body, "rosarchive_webhook_dead_letters").get('{tenant="acme"}'), 2);
    const lag = series(body, "rosarchive_scheduler_lag_seconds").get("");
    assert.ok(lag !== undefined && lag >= 0, `lag ${lag}`);
  });

  it("docs/metrics.md names exactly the rosarchive_ metrics a real scrape exposes, both ways", async () => {
    const scraped = [...(await scrape()).matchAll(/^# TYPE (rosarchive_[a-z0-9_]+) /gm)].map((m) => m[1]!).sort();
    const doc = readFileSync(path.join(REPO_ROOT, "docs/metrics.md"), "utf8");
    const block = doc.slice(doc.indexOf("BEGIN GENERATED metrics"), doc.indexOf("END GENERATED metrics"));
    const documented = [...block.matchAll(/^\| `(rosarchive_[a-z0-9_]+)` \|/gm)].map((m) => m[1]!).sort();
    assert.ok(scraped.length > 10);
    assert.deepEqual(documented, scraped);
  });

  it("metrics_per_device: false drops the per-device series (and a reload brings them back)", async () => {
    const text = readFileSync(file, "utf8");
    await svc.reload(loadConfig(`metrics_per_device: false\n${text}`, { baseDir: dir }));
    const off = await scrape();
    for (const name of ["rosarchive_device_last_success_timestamp_seconds", "rosarchive_device_last_change_timestamp_seconds", "rosarchive_device_interval_seconds"]) {
      assert.equal(series(off, name).size, 0, name);
      assert.match(off, new RegExp(`^# TYPE ${name} gauge$`, "m"), "still declared");
    }
    assert.ok(!/device="/.test(off), "no device label anywhere");
    assert.equal(series(off, "rosarchive_devices").get('{tenant="acme",state="ok"}'), 1, "the per-tenant gauges stay");
    await svc.reload(loadConfig(text, { baseDir: dir }));
    assert.equal(series(await scrape(), "rosarchive_device_interval_seconds").size, 2);
  });
});
