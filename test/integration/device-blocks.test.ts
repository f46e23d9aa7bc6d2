import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { usableKeyPair } from "../../src/simulator/index.js";
import { cliAsync, keygen, writeConfig } from "../helpers/cli.js";
import { startDevices, TEST_PASSWORD } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const newToken = () => randomBytes(18).toString("base64url");

/** An admin's way out of a block: accept exactly the key they checked; unblock a failed login. Route, CLI and audit. */
describe("device blocks: accept the checked host key, unblock a failed login", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let svc: RunningService;
  let dir: string;
  let file: string;
  const tokens = { admin: newToken(), operator: newToken() };
  const env = { ROUTER_PASSWORD: TEST_PASSWORD };

  before(async () => {
    sim = await startDevices(2);
    dir = tempDir();
    file = writeConfig(dir, {
      recipient: keygen(dir).recipient,
      devices: [0, 1].map((i) => ({ id: `dev-${i}`, port: sim.devices.get(`dev-${i}`)!.port })),
      extra: "schedule: { interval: 1d, first_run_window: 1d, connect_timeout: 3s, command_timeout: 3s, backoff: [1h] }",
      tenantExtra: `    tokens:\n      - { name: boss, role: admin, sha256: "${sha(tokens.admin)}" }\n      - { name: ops, role: operator, sha256: "${sha(tokens.operator)}" }\n`,
    });
    writeFileSync(file, readFileSync(file, "utf8").replace("password: not-a-real-secret", "password_env: ROUTER_PASSWORD"));
    svc = await startService(loadConfig(readFileSync(file, "utf8"), { baseDir: dir }), env, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
  });
  after(async () => {
    await svc?.close();
    await sim?.stop();
  });

  const url = (device: string, rest: string) => `${svc.url}/api/v1/tenants/acme/devices/${device}${rest}`;
  const post = async (device: string, rest: string, token: string, body?: unknown) => {
    const res = await fetch(url(device, rest), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const device = async (id: string) => (await (await fetch(url(id, ""), { headers: { authorization: `Bearer ${tokens.admin}` } })).json()) as any;
  const audit = async () => ((await (await fetch(`${svc.url}/api/v1/tenants/acme/audit?limit=1000`, { headers: { authorization: `Bearer ${tokens.admin}` } })).json()) as any).entries as any[];
  /** The backup the accept or unblock started ends (the device lock is free). */
  const settled = (id: string) => until(`${id}'s retry to end`, 20_000, () => (svc.ctx.locks.isBusy("acme", id) ? undefined : true));

  it("accept pins exactly the presented fingerprint the admin sent; any other key is refused, then blocked", async () => {
    assert.equal((await post("dev-0", "/backup", tokens.operator)).status, 201);
    const original = (await device("dev-0")).host_key;
    const k2 = sim.setHostKey("dev-0", usableKeyPair().private);
    const blocked = await post("dev-0", "/backup", tokens.operator);
    assert.deepEqual([blocked.status, blocked.body.error.code], [502, "host_key_mismatch"]);
    assert.deepEqual([(await device("dev-0")).status, (await device("dev-0")).presented_host_key], ["blocked", k2]);

    // No fingerprint: 400 naming it. A fingerprint the device did not present: 409, nothing changes.
    const missing = await post("dev-0", "/host-key/accept", tokens.admin);
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /^fingerprint:/);
    const k3fp = "SHA256:" + createHash("sha256").update("not the device's key").digest("base64").replace(/=+$/, "");
    const wrong = await post("dev-0", "/host-key/accept", tokens.admin, { fingerprint: k3fp });
    assert.equal(wrong.status, 409);
    assert.ok(wrong.body.error.message.includes(k2), wrong.body.error.message);
    assert.equal((await device("dev-0")).status, "blocked");
    assert.equal((await post("dev-0", "/host-key/accept", tokens.operator, { fingerprint: k2 })).status, 403, "admins only");

    // The admin's fingerprint: pinned at once; the device shows why it is not ok yet.
    const ok = await post("dev-0", "/host-key/accept", tokens.admin, { fingerprint: k2 });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.host_key, k2);
    assert.equal(ok.body.presented_host_key, null);
    assert.equal(ok.body.status, "failing");
    assert.equal(ok.body.last_error.code, "host_key_mismatch");
    assert.match(ok.body.last_error.message, new RegExp(`${k2.replace(/[+/]/g, "\\$&")} accepted by boss`));
    // The backup it started confirms the key.
    await settled("dev-0");
    await until("dev-0 ok with the accepted key", 20_000, async () => ((await device("dev-0")).status === "ok" ? true : undefined));
    assert.equal((await device("dev-0")).host_key, k2);
    assert.notEqual(k2, original);

    // Another key presented after the accept: blocked again, the accepted pin kept.
    const k4 = sim.setHostKey("dev-0", usableKeyPair().private);
    const again = await post("dev-0", "/backup", tokens.operator);
    assert.deepEqual([again.status, again.body.error.code], [502, "host_key_mismatch"]);
    const d = await device("dev-0");
    assert.deepEqual([d.status, d.host_key, d.presented_host_key], ["blocked", k2, k4]);

    const accepted = (await audit()).filter((e) => e.action === "hostkey.accepted");
    assert.equal(accepted.length, 1);
    assert.deepEqual([accepted[0].actor, accepted[0].device, accepted[0].details.accepted_fingerprint], ["boss", "dev-0", k2]);
  });

  it("the key the admin compared changed before the accept: 409, nothing pinned", async () => {
    // dev-0 is blocked presenting k4 (above). The admin looked at k4; meanwhile the device presents k5 and a backup saw it.
    const seen = (await device("dev-0")).presented_host_key;
    const k5 = sim.setHostKey("dev-0", usableKeyPair().private);
    await svc.ctx.states.update("acme", "dev-0", (s) => ({ ...s, presented_host_key: k5 }));
    const stale = await post("dev-0", `/host-key/accept?fingerprint=${encodeURIComponent(seen)}`, tokens.admin);
    assert.equal(stale.status, 409);
    assert.equal((await device("dev-0")).status, "blocked");
    // The CLI pins exactly what it is given, too.
    const cli = await cliAsync(["hostkey", "accept", "-c", file, "acme/dev-0", "--fingerprint", k5], { env });
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual([(await device("dev-0")).host_key, (await device("dev-0")).status], [k5, "failing"]);
    assert.equal((await post("dev-0", "/backup", tokens.operator)).status, 200, "unchanged export, the pinned key presented");
  });

  it("an auth_failed device: accept answers 409 pointing to unblock; unblock (admin, audited) retries the login", async () => {
    assert.equal((await post("dev-1", "/backup", tokens.operator)).status, 201);
    sim.setPassword("dev-1", "changed-on-the-router");
    const failed = await post("dev-1", "/backup", tokens.operator);
    assert.deepEqual([failed.status, failed.body.error.code], [502, "auth_failed"]);
    const before = await device("dev-1");
    assert.equal(before.status, "blocked");

    const accept = await post("dev-1", "/host-key/accept", tokens.admin, { fingerprint: before.host_key });
    assert.equal(accept.status, 409);
    assert.match(accept.body.error.message, /auth_failed/);
    assert.match(accept.body.error.message, /unblock/);
    assert.deepEqual(await device("dev-1"), before, "nothing changed");

    assert.equal((await post("dev-1", "/unblock", tokens.operator)).status, 403, "admins only");
    // Still the wrong password on the router: unblocked, retried at once, blocked again.
    const un = await post("dev-1", "/unblock", tokens.admin);
    assert.equal(un.status, 200);
    assert.equal(un.body.status, "failing");
    assert.equal(un.body.last_error.code, "auth_failed");
    assert.match(un.body.last_error.message, /unblocked by boss/);
    await settled("dev-1");
    await until("dev-1 blocked again by the same wrong login", 20_000, async () => ((await device("dev-1")).status === "blocked" ? true : undefined));
    // Fixed on the router: unblock, and the login works.
    sim.setPassword("dev-1", TEST_PASSWORD);
    assert.equal((await post("dev-1", "/unblock", tokens.admin)).status, 200);
    await settled("dev-1");
    await until("dev-1 ok", 20_000, async () => ((await device("dev-1")).status === "ok" ? true : undefined));
    const nothing = await post("dev-1", "/unblock", tokens.admin);
    assert.equal(nothing.status, 409, "not blocked: nothing to unblock");

    const entries = (await audit()).filter((e) => e.action === "device.unblocked");
    assert.equal(entries.length, 2);
    assert.deepEqual([entries[0].actor, entries[0].role, entries[0].device], ["boss", "admin", "dev-1"]);
  });

  it("rosarchive unblock (CLI) clears it beside the running service, in the same audit chain", async () => {
    sim.setPassword("dev-1", "changed-again");
    assert.equal((await post("dev-1", "/backup", tokens.operator)).status, 502);
    assert.equal((await device("dev-1")).status, "blocked");
    const notBlocked = await cliAsync(["unblock", "-c", file, "acme/dev-0"], { env });
    assert.equal(notBlocked.code, 1);
    assert.match(notBlocked.stderr, /not blocked by a failed login/);
    const r = await cliAsync(["unblock", "-c", file, "acme/dev-1"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /acme\/dev-1: unblocked/);
    const d = await device("dev-1");
    assert.deepEqual([d.status, d.last_error.code], ["failing", "auth_failed"]);
    assert.match(d.last_error.message, /unblocked by cli/);
    const cliEntry = (await audit()).find((e) => e.action === "device.unblocked" && e.actor === "cli");
    assert.ok(cliEntry, "audited");
    assert.equal(cliEntry.device, "dev-1");
    // The service keeps appending to the chain the CLI extended.
    await fetch(url("dev-1", "/config"), { headers: { authorization: `Bearer ${tokens.admin}` } }).then((x) => x.arrayBuffer());
    await until("the service's next entry", 10_000, async () => ((await audit())[0].action === "config.read" ? true : undefined));
    const verify = await cliAsync(["audit", "verify", "-c", file, "acme"], { env });
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /audit chain intact from its first entry/);
    assert.ok(path.isAbsolute(dir));
  });
});
