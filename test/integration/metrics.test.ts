import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { METRIC_NAMES, silentLogger } from "../../src/observe/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { startDevices, TEST_PASSWORD } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const newToken = () => randomBytes(24).toString("base64url");
const PROMTOOL = "/usr/bin/promtool";

/** Samples of a Prometheus text body, keyed `name{a="x",b="y"}` with labels sorted. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels = m[2] ? [...m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}="${l[2]}"`).sort() : [];
    out.set(`${m[1]}{${labels.join(",")}}`, Number(m[3]));
  }
  return out;
}

/** `promtool check metrics` (the Prometheus project's own parser and linter), or a loud fallback. */
function checkWithPromtool(body: string): void {
  if (!existsSync(PROMTOOL)) {
    console.warn("\n  !!! promtool not found at /usr/bin/promtool (Debian package `prometheus`): only the built-in parser checked /metrics !!!\n");
    return;
  }
  const r = spawnSync(PROMTOOL, ["check", "metrics"], { input: body, encoding: "utf8" });
  const report = `${r.stdout}${r.stderr}`;
  // Exit 1: the text does not parse. Exit 3: lint findings only; prom-client's own process
  // metrics (nodejs_active_handles_total, a gauge) draw some, ours must draw none.
  assert.ok(r.status === 0 || r.status === 3, `promtool check metrics (exit ${r.status}):\n${report}`);
  const ours = report.split("\n").filter((l) => l.startsWith("rosarchive_"));
  assert.deepEqual(ours, [], `promtool lint findings on rosarchive metrics:\n${report}`);
}

describe("metrics: /metrics as Prometheus scrapes it", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let svc: RunningService;
  const operator = newToken();
  const metricsToken = newToken();

  before(async () => {
    sim = await startDevices(4);
    const dir = tempDir();
    const keys = keygen(dir);
    const file = writeConfig(dir, {
      recipient: keys.recipient,
      devices: [0, 1, 2, 3].map((i) => ({ id: `dev-${i}`, port: sim.devices.get(`dev-${i}`)!.port })),
      extra: `metrics_token_sha256: "${sha(metricsToken)}"\nschedule: { interval: 1d, first_run_window: 1d, connect_timeout: 3s, command_timeout: 2s, backoff: [1h] }`,
      tenantExtra: `    tokens:\n      - { name: ops, role: operator, sha256: "${sha(operator)}" }\n`,
    });
    writeFileSync(file, readFileSync(file, "utf8").replace("password: not-a-real-secret", "password_env: ROUTER_PASSWORD"));
    const config = loadConfig(readFileSync(file, "utf8"), { baseDir: dir });
    // No scheduler ticks after start: only the backups this test triggers run.
    svc = await startService(config, { ROUTER_PASSWORD: TEST_PASSWORD }, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
  });
  after(async () => {
    await svc?.close();
    await sim?.stop();
  });

  const scrape = async (token: string | null = metricsToken) => {
    const res = await fetch(`${svc.url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
  };
  const backup = async (device: string) => (await fetch(`${svc.url}/api/v1/tenants/acme/devices/${device}/backup`, { method: "POST", headers: { authorization: `Bearer ${operator}` } })).status;

  it("counts backups, commits and device states; passes promtool; names every metric of METRIC_NAMES", async () => {
    const before = samples((await scrape()).body);
    const value = (s: Map<string, number>, key: string) => s.get(key) ?? 0;

    assert.equal(await backup("dev-0"), 201);
    assert.equal(await backup("dev-1"), 201);
    assert.equal(await backup("dev-0"), 200, "second backup of an unchanged device");
    sim.setFault("dev-2", "hang");
    assert.equal(await backup("dev-2"), 504);
    // dev-3 is never contacted.

    const res = await scrape();
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain; version=0\.0\.4/);
    checkWithPromtool(res.body);
    for (const name of METRIC_NAMES) assert.match(res.body, new RegExp(`^# TYPE ${name} `, "m"), `${name} is exposed`);
    assert.match(res.body, /^process_cpu_seconds_total /m, "process metrics too");

    const after = samples(res.body);
    const moved = (key: string) => value(after, key) - value(before, key);
    assert.equal(moved('rosarchive_backups_total{result="changed",tenant="acme"}'), 2);
    assert.equal(moved('rosarchive_backups_total{result="unchanged",tenant="acme"}'), 1);
    assert.equal(moved('rosarchive_backups_total{result="timeout",tenant="acme"}'), 1);
    assert.equal(moved('rosarchive_commits_total{tenant="acme"}'), 2, "one commit per changed backup");
    assert.equal(moved("rosarchive_backup_duration_seconds_count{}"), 4);
    assert.equal(value(after, "rosarchive_backups_in_flight{}"), 0);
    assert.deepEqual(
      ["ok", "failing", "blocked", "never"].map((state) => value(after, `rosarchive_devices{state="${state}",tenant="acme"}`)),
      [2, 1, 0, 1],
    );
    // HTTP metrics are labelled by route pattern, never by the raw URL (bounded cardinality).
    assert.equal(moved('rosarchive_http_requests_total{route="/api/v1/tenants/:tenant/devices/:device/backup",status="201"}'), 2);
    // Device ids appear only in the per-device gauges (metrics_per_device), never in counters or histograms.
    const perDevice = /^rosarchive_device_(last_success_timestamp_seconds|last_change_timestamp_seconds|interval_seconds)\{/;
    assert.ok(![...after.keys()].some((k) => k.includes("dev-0") && !perDevice.test(k)), "no device id in any other label");
  });

  it("with metrics_token_sha256 set, /metrics needs that token", async () => {
    const none = await scrape(null);
    assert.equal(none.status, 401);
    assert.doesNotMatch(none.body, /rosarchive_/);
    assert.equal((await scrape(newToken())).status, 401);
    assert.equal((await scrape(operator)).status, 401, "an API token is not the metrics token");
    assert.equal((await scrape()).status, 200);
  });
});
