import { usableKeyPair } from "../../src/simulator/index.js";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildContext } from "../../src/cli/build-context.js";
import { readConfigFile } from "../../src/cli/load.js";
import { asRosarchiveError } from "../../src/common/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { resultCode, runBackup, type PipelineContext } from "../../src/pipeline/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { cliAsync, keygen, writeConfig } from "../helpers/cli.js";
import { commitCount, fsckStrict, git } from "../helpers/git.js";
import { readFixture, startDevices, TEST_PASSWORD, V6_FIXTURE, V7_FIXTURE } from "../helpers/simulator.js";
import { stripSensitive } from "../../src/simulator/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * Backups as the service runs them (the same path as a scheduled run or a
 * manual trigger through the API), against simulated routers; and the
 * one-off `rosarchive backup` of an operator's shell.
 */
describe("backup: collection over SSH into the archive", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let dir: string;
  let config: string;
  let gitDir: string;
  let ctx: PipelineContext;
  const env = { ROUTER_PASSWORD: TEST_PASSWORD };

  before(async () => {
    sim = await startDevices(3, (i) => (i === 2 ? { exportText: readFixture(V6_FIXTURE), version: "6.48.4" } : {}));
    dir = tempDir();
    const keys = keygen(dir);
    config = writeConfig(dir, {
      recipient: keys.recipient,
      devices: [0, 1, 2].map((i) => ({ id: `dev-${i}`, port: sim.devices.get(`dev-${i}`)!.port })),
      extra: "schedule: { connect_timeout: 3s, command_timeout: 3s, backoff: [1m] }",
    });
    // Credentials from the environment, as a real config would hold them.
    const text = readFileSync(config, "utf8").replace("password: not-a-real-secret", "password_env: ROUTER_PASSWORD");
    writeFileSync(config, text);
    gitDir = path.join(dir, "repos/acme.git");
    ctx = buildContext(readConfigFile(config), env, { log: silentLogger() });
  });
  after(async () => {
    await ctx?.repos.closeAll();
    await sim?.stop();
  });

  /** A backup as the service runs it; the answer shaped like the CLI's JSON. */
  const backup = async (device: string, over: { env?: NodeJS.ProcessEnv } = {}) => {
    const c = over.env ? buildContext(readConfigFile(config), over.env, { log: silentLogger() }) : ctx;
    const d = c.config().tenants.get("acme")!.deviceById.get(device)!;
    try {
      const r = await runBackup(c, d, "manual");
      return { code: 0, stdout: JSON.stringify(r), json: { ...r, error: null as { code: string } | null } };
    } catch (raw) {
      const err = asRosarchiveError(raw);
      return { code: 1, stdout: err.message, json: { result: resultCode(err.code), commit: null, error: { code: err.code } } };
    } finally {
      if (c !== ctx) await c.repos.closeAll();
    }
  };
  const state = (device: string) => JSON.parse(readFileSync(path.join(dir, "state/devices/acme", `${device}.json`), "utf8"));

  it("rosarchive backup prints the result as JSON, exits 0 on a change, and leaves the device's state alone", async () => {
    const r = await cliAsync(["backup", "-c", config, "acme/dev-1"], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const json = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(json), ["tenant", "device", "result", "changed", "commit", "parent"]);
    assert.deepEqual([json.tenant, json.device, json.result, json.changed], ["acme", "dev-1", "changed", true]);
    assert.match(json.commit, /^[0-9a-f]{40}$/);
    assert.equal(existsSync(path.join(dir, "state/devices/acme/dev-1.json")), false, "a one-off run from a shell records no device state");
  });

  it("collects v7 (show-sensitive) and v6 (/export) and commits once", async () => {
    const a = await backup("dev-0");
    assert.equal(a.code, 0, a.stdout);
    assert.equal(a.json.result, "changed");
    const b = await backup("dev-0");
    assert.deepEqual([b.json.result, b.json.commit], ["unchanged", a.json.commit]);
    const v6 = await backup("dev-2");
    assert.equal(v6.json.result, "changed", v6.stdout);
    assert.ok(sim.devices.get("dev-2")!.stats.commands.includes("/export"));
    assert.ok(!sim.devices.get("dev-2")!.stats.commands.includes("/export show-sensitive"));
    assert.ok(sim.devices.get("dev-0")!.stats.commands.includes("/export show-sensitive"));
    assert.match(git(gitDir, ["log", "-1", "--format=%B", v6.json.commit!]), /RouterOS-Version: 6\.48\.4\nTrigger: manual\n/);
    const s = state("dev-0");
    assert.equal(s.status, "ok");
    assert.equal(s.host_key, sim.devices.get("dev-0")!.hostKeyFingerprint);
    assert.match(s.host_key, /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  for (const [fault, code] of [
    ["hang", "timeout"],
    ["truncate", "invalid_output"],
    ["drop", "invalid_output"],
    ["garbage", "invalid_output"],
    ["bad_command", "invalid_output"],
    ["nonzero_exit", "invalid_output"],
    ["empty", "invalid_output"],
  ] as const) {
    it(`${fault}: ${code}, device failing, nothing committed, then recovers to ok`, async () => {
      const before = commitCount(gitDir);
      sim.setExport("dev-1", `${readFixture("v7.18.2-wifi.rsc")}\n/system note\nset note="${fault}"\n`);
      sim.setFault("dev-1", fault);
      const r = await backup("dev-1");
      assert.equal(r.code, 1);
      assert.equal(r.json.result, code, r.stdout);
      assert.equal(r.json.error.code, code);
      assert.equal(commitCount(gitDir), before, "no commit for a failed collection");
      assert.equal(state("dev-1").status, "failing");
      assert.equal(state("dev-1").last_error.code, code);
      sim.setFault("dev-1", null);
      const ok = await backup("dev-1");
      assert.equal(ok.code, 0, ok.stdout);
      assert.equal(state("dev-1").status, "ok");
    });
  }

  it("a one-off rosarchive backup from a shell without the password is credentials_missing, and the managed device stays as it was", async () => {
    const before = readFileSync(path.join(dir, "state/devices/acme/dev-0.json"), "utf8");
    const shell = { ...process.env };
    delete shell.ROUTER_PASSWORD;
    const r = await cliAsync(["backup", "-c", config, "acme/dev-0"], { env: shell });
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout);
    assert.equal(json.error.code, "credentials_missing");
    assert.match(json.error.message, /ROUTER_PASSWORD .* not set/);
    assert.notEqual(json.result, "auth_failed");
    assert.equal(readFileSync(path.join(dir, "state/devices/acme/dev-0.json"), "utf8"), before, "state untouched: not blocked, not failing");
    assert.equal(existsSync(path.join(dir, "state/outbox")), false, "no device event queued");
  });

  it("rosarchive backup refuses a device without its tenant, and extra arguments, as usage errors", async () => {
    const r = await cliAsync(["backup", "-c", config, "dev-0"], { env });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "", "no result JSON for a command it did not understand");
    assert.match(r.stderr, /"dev-0" is not TENANT\/DEVICE/);
    assert.match(r.stderr, /usage: rosarchive backup/);
    const extra = await cliAsync(["backup", "-c", config, "acme/dev-0", "acme/dev-1"], { env });
    assert.match(extra.stderr, /unexpected argument "acme\/dev-1"/);
  });

  it("a v7 export that comes back without its secrets (the user lost the sensitive policy) warns in the device's state", async () => {
    const withSecrets = readFixture(V7_FIXTURE);
    sim.setExport("dev-0", withSecrets);
    assert.equal((await backup("dev-0")).code, 0);
    assert.equal(state("dev-0").warning, null);
    // What RouterOS v7 prints for `/export show-sensitive` to a user without the sensitive policy.
    sim.setExport("dev-0", stripSensitive(withSecrets.split(/\r?\n/), ROUTEROS).join("\r\n"));
    const r = await backup("dev-0");
    assert.equal(r.code, 0, r.stdout);
    const s = state("dev-0");
    assert.equal(s.status, "ok");
    assert.equal(s.warning?.code, "secrets_missing");
    assert.match(s.warning.message, /without any secret, where the last one had \d+: .*sensitive policy/);
    sim.setExport("dev-0", withSecrets);
    assert.equal((await backup("dev-0")).code, 0);
    assert.equal(state("dev-0").warning, null, "cleared once the secrets are back");
  });

  it("a changed host key blocks the device, reads nothing, until `hostkey accept`", async () => {
    const pinned = state("dev-0").host_key;
    const execsBefore = sim.devices.get("dev-0")!.stats.execs;
    const commits = commitCount(gitDir);
    const presented = sim.setHostKey("dev-0", usableKeyPair().private);
    const r = await backup("dev-0");
    assert.equal(r.json.result, "host_key_mismatch", r.stdout);
    assert.equal(sim.devices.get("dev-0")!.stats.execs, execsBefore, "no command ran on the impostor");
    let s = state("dev-0");
    assert.deepEqual([s.status, s.host_key, s.presented_host_key], ["blocked", pinned, presented]);
    // Still blocked: no contact at all.
    const conns = sim.devices.get("dev-0")!.stats.connections;
    const again = await backup("dev-0");
    assert.equal(again.json.result, "host_key_mismatch");
    assert.equal(sim.devices.get("dev-0")!.stats.connections, conns);
    assert.equal(commitCount(gitDir), commits);

    // Without --fingerprint: the presented key is printed, nothing changes.
    const ask = await cliAsync(["hostkey", "accept", "-c", config, "acme/dev-0"], { env });
    assert.equal(ask.code, 1);
    assert.ok(ask.stderr.includes(presented), ask.stderr);
    assert.equal(state("dev-0").status, "blocked");
    const accept = await cliAsync(["hostkey", "accept", "-c", config, "acme/dev-0", "--fingerprint", presented], { env });
    assert.equal(accept.code, 0, accept.stderr);
    assert.deepEqual([state("dev-0").status, state("dev-0").host_key], ["failing", presented], "the accepted key is pinned at once");
    const ok = await backup("dev-0");
    assert.equal(ok.code, 0, ok.stdout);
    s = state("dev-0");
    assert.deepEqual([s.status, s.host_key], ["ok", presented]);
  });

  it("a wrong password blocks with auth_failed until the credentials change", async () => {
    sim.setPassword("dev-1", "rotated-on-the-router");
    const r = await backup("dev-1");
    assert.equal(r.json.result, "auth_failed", r.stdout);
    assert.equal(state("dev-1").status, "blocked");
    const attempts = sim.devices.get("dev-1")!.stats.authAttempts;
    const again = await backup("dev-1");
    assert.equal(again.json.result, "auth_failed");
    assert.equal(sim.devices.get("dev-1")!.stats.authAttempts, attempts, "blocked: the router is not hammered with bad logins");
    const fixed = await backup("dev-1", { env: { ROUTER_PASSWORD: "rotated-on-the-router" } });
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.equal(state("dev-1").status, "ok");
  });

  it("an unreachable device is failing with a retry time from the backoff", async () => {
    const port = sim.devices.get("dev-2")!.port;
    await sim.stop();
    const r = await backup("dev-2");
    assert.equal(r.json.result, "unreachable", r.stdout);
    const s = state("dev-2");
    assert.equal(s.status, "failing");
    const retryIn = Date.parse(s.next_run) - Date.parse(s.last_attempt);
    assert.ok(retryIn > 30_000 && retryIn <= 61_000, `retry in ${retryIn} ms`);
    assert.ok(port > 0);
    fsckStrict(gitDir);
  });
});
