import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import { BIN, cli, cliAsync, keygen } from "../helpers/cli.js";
import { fsckStrict, git } from "../helpers/git.js";
import { Receiver } from "../helpers/receiver.js";
import { TEST_PASSWORD, TEST_USER } from "../helpers/simulator.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const HEADER = "# 2026-11-22 10:00:00 by RouterOS 7.16.2\n# software id = TEST-0001\n#\n";
const ACME_SECRET = "cnry-acme-wg-private-key-AAAAAAAAAAAAAAAAAAAA=";
const ACME_SCRIPT_SECRET = "cnry-acme-fetch-pw";
const BETA_SECRET = "cnry-beta-ppp-secret";
const ACME_EXPORT = `${HEADER}/interface wireguard\nadd listen-port=13231 mtu=1420 name=wg0 private-key="${ACME_SECRET}"\n/system script\nadd name=ddns source="/tool fetch url=\\"https://dyn.example/\\" user=u password=${ACME_SCRIPT_SECRET}"\n/system identity\nset name=acme-r1\n`;
const betaExport = (identity: string) => `${HEADER}/ppp secret\nadd name=bob password=${BETA_SECRET} service=pppoe\n/system identity\nset name=${identity}\n`;

/**
 * Keys per tenant, decrypt only where the sealer seals, and key rotation,
 * through the real `serve` and CLI: two tenants with their own recipients
 * and identities; a viewer of one copies a sealed value into a harmless
 * parameter of a router of the other; keys are rotated both ways (next
 * backup, `rosarchive reseal`), and no rotation commit sends config.changed.
 */
describe("tenant keys: per-tenant recipients, positional decrypt, rotation without alerts", function () {
  this.timeout(240_000);
  let dir: string;
  let sim: Simulator;
  let serve: ChildProcessWithoutNullStreams;
  let url = "";
  let logs = "";
  const receiver = new Receiver();
  const tokens = { acmeView: randomBytes(18).toString("hex"), acmeAdmin: randomBytes(18).toString("hex"), betaAdmin: randomBytes(18).toString("hex") };
  const keys: Record<string, ReturnType<typeof keygen>> = {};
  const configFile = () => path.join(dir, "config.yaml");

  /** One key pair per name, each in its own folder. */
  const newKey = (name: string) => {
    const d = path.join(dir, `key-${name}`);
    mkdirSync(d);
    keys[name] = keygen(d);
  };

  const writeConfig = (acmeKey: string, betaKey: string, opts: { betaIdentity?: boolean } = {}) => {
    writeFileSync(
      configFile(),
      `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
log_level: debug
encryption:
  recipients: [${keys.global!.recipient}]
  identity_file: ${keys.global!.identityFile}
schedule: { interval: 24h, first_run_window: 24h, connect_timeout: 5s, command_timeout: 20s, backoff: [1h] }
limits: { webhook_retry_start: 200ms, manual_backups_per_minute: 100 }
defaults: { username: ${TEST_USER}, password_env: ROUTER_PASSWORD }
tenants:
  acme:
    encryption: { recipients: [${keys[acmeKey]!.recipient}], identity_file: ${keys[acmeKey]!.identityFile} }
    tokens:
      - { name: view, role: viewer, sha256: "${sha(tokens.acmeView)}" }
      - { name: admin, role: admin, sha256: "${sha(tokens.acmeAdmin)}" }
    webhooks:
      - { url: "${receiver.url}", secret_env: HOOK_SECRET, events: [config.changed] }
    devices:
      - { id: a1, host: 127.0.0.1, port: ${sim.devices.get("a1")!.port} }
  beta:
    encryption: { recipients: [${keys[betaKey]!.recipient}]${opts.betaIdentity === false ? "" : `, identity_file: ${keys[betaKey]!.identityFile}`} }
    tokens:
      - { name: admin, role: admin, sha256: "${sha(tokens.betaAdmin)}" }
    webhooks:
      - { url: "${receiver.url}", secret_env: HOOK_SECRET, events: [config.changed] }
    devices:
      - { id: b1, host: 127.0.0.1, port: ${sim.devices.get("b1")!.port} }
`,
    );
  };

  const api = async (tenant: string, p: string, token: string, init: RequestInit = {}) => {
    const res = await fetch(`${url}/api/v1/tenants/${tenant}${p}`, { ...init, headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, text: await res.text() };
  };
  const events = (tenant: string) => receiver.received.map((r) => JSON.parse(r.body.toString("utf8"))).filter((e) => e.tenant === tenant && e.event === "config.changed");
  const reload = async () => {
    const before = (logs.match(/"event":"config\.reloaded"/g) ?? []).length;
    serve.kill("SIGHUP");
    await until("the reload", 30_000, () => ((logs.match(/"event":"config\.reloaded"/g) ?? []).length > before ? true : undefined));
  };
  const gitDir = (tenant: string) => path.join(dir, "repos", `${tenant}.git`);
  const headMessage = (tenant: string) => git(gitDir(tenant), ["log", "-1", "--format=%B", "main"]);

  before(async () => {
    dir = tempDir();
    sim = await startSimulator({
      devices: [
        { id: "a1", exportText: ACME_EXPORT, version: "7.16.2", username: TEST_USER, password: TEST_PASSWORD },
        { id: "b1", exportText: betaExport("beta-r1"), version: "7.16.2", username: TEST_USER, password: TEST_PASSWORD },
      ],
    });
    await receiver.start();
    for (const k of ["global", "acme", "beta", "acme2", "beta2"]) newKey(k);
    writeConfig("acme", "beta");
    serve = spawn(process.execPath, [BIN, "serve", "-c", configFile()], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: dir, ROUTER_PASSWORD: TEST_PASSWORD, HOOK_SECRET: "hook-secret", GIT_CONFIG_NOSYSTEM: "1" } });
    serve.stdout.on("data", (c) => (logs += c));
    serve.stderr.on("data", (c) => (logs += c));
    url = await until("serve to listen", 30_000, () => /"event":"serve.listening".*?"url":"(http:[^"]+)"/.exec(logs)?.[1]);
  });

  after(async () => {
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      serve.kill("SIGTERM");
      await new Promise((r) => serve.once("exit", r));
    }
    await receiver.stop();
    await sim?.stop();
  });

  let acmeToken = "";

  it("each tenant's values are sealed to its own recipients: B's values do not open with A's identity", async () => {
    assert.equal((await api("acme", "/devices/a1/backup", tokens.acmeAdmin, { method: "POST" })).status, 201, logs.slice(-2000));
    assert.equal((await api("beta", "/devices/b1/backup", tokens.betaAdmin, { method: "POST" })).status, 201, logs.slice(-2000));
    const a = await api("acme", "/devices/a1/config", tokens.acmeView);
    assert.equal(a.status, 200);
    assert.ok(!a.text.includes(ACME_SECRET) && !a.text.includes(ACME_SCRIPT_SECRET), "acme's secrets are sealed, the script's too");
    acmeToken = /private-key=(age:[A-Za-z0-9_-]+)/.exec(a.text)![1]!;

    const b = await api("beta", "/devices/b1/config", tokens.betaAdmin);
    const file = path.join(dir, "b1.rsc");
    writeFileSync(file, b.text);
    const withA = cli(["decrypt", "-i", keys.acme!.identityFile, file]);
    assert.equal(withA.code, 1);
    assert.match(withA.stderr, /no given identity can decrypt/);
    assert.ok(!withA.stdout.includes(BETA_SECRET));
    const withGlobal = cli(["decrypt", "-i", keys.global!.identityFile, file]);
    assert.equal(withGlobal.code, 1, "the global identity does not open a tenant with its own keys");
    const withB = cli(["decrypt", "-i", keys.beta!.identityFile, file]);
    assert.equal(withB.code, 0, withB.stderr);
    assert.ok(withB.stdout.includes(`password=${BETA_SECRET}`));
    // And the API's decrypted read uses only the tenant's own identity.
    const aPlain = await api("acme", "/devices/a1/config?decrypt=true", tokens.acmeAdmin);
    assert.equal(aPlain.status, 200);
    assert.ok(aPlain.text.includes(ACME_SECRET) && aPlain.text.includes(`password=${ACME_SCRIPT_SECRET}`));
  });

  it("a sealed value of tenant A pasted into a harmless parameter of a B router: B's decrypted download shows the literal age: text", async () => {
    const pasted = betaExport(acmeToken);
    sim.setExport("b1", pasted);
    assert.equal((await api("beta", "/devices/b1/backup", tokens.betaAdmin, { method: "POST" })).status, 201);
    const plain = await api("beta", "/devices/b1/config?decrypt=true", tokens.betaAdmin);
    assert.equal(plain.status, 200, plain.text);
    assert.ok(plain.text.includes(`/system identity\nset name=${acmeToken}\n`), "the pasted text comes back as the device printed it");
    assert.ok(!plain.text.includes(ACME_SECRET), "A's plaintext never appears in B's download");
    // The round trip is byte-exact: the download is the normalized export.
    const expected = pasted.replace(HEADER, "# RouterOS 7.16.2\n# software id = TEST-0001\n#\n");
    assert.equal(plain.text, expected);
    // Even an identity that holds A's key does not open it at that position (positions, not keys, decide).
    const sealed = await api("beta", "/devices/b1/config", tokens.betaAdmin);
    const file = path.join(dir, "b1-pasted.rsc");
    writeFileSync(file, sealed.text);
    const both = path.join(dir, "both-identities.txt");
    writeFileSync(both, `${keys.acme!.identity}\n${keys.beta!.identity}\n`, { mode: 0o600 });
    const r = cli(["decrypt", "-i", both, file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, expected);
    assert.ok(!r.stdout.includes(ACME_SECRET));
  });

  it("rotating a tenant's key: the next backup re-seals, labelled, summarized, counted, and fires no config.changed", async () => {
    await until("the first config.changed events", 30_000, () => (events("acme").length >= 1 && events("beta").length >= 2 ? true : undefined));
    const acmeEvents = events("acme").length;
    writeConfig("acme2", "beta");
    await reload();
    const r = await api("acme", "/devices/a1/backup", tokens.acmeAdmin, { method: "POST" });
    assert.equal(r.status, 201, "a new commit: the values are sealed to the new recipient");
    const commit = JSON.parse(r.text).commit as string;
    const message = headMessage("acme");
    assert.match(message, /^a1: re-sealed 2 values for new recipients\n/);
    assert.match(message, /\nTrigger: manual\nCollected-At: [^\n]+\nNormalizer: 1\nResealed: true\n/);
    const history = JSON.parse((await api("acme", "/devices/a1/history", tokens.acmeView)).text).entries;
    assert.equal(history[0].commit, commit);
    assert.equal(history[0].resealed, true);
    assert.equal(history[0].summary, "re-sealed 2 values for new recipients");
    assert.equal(history[1].resealed, false);
    assert.match(logs, new RegExp(`"event":"snapshot.resealed"[^\\n]*"commit":"${commit}"`));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /rosarchive_reseal_commits_total\{tenant="acme"\} 1/);

    // The new head opens with the new identity; history keeps opening with the old one.
    const head = await api("acme", "/devices/a1/config?decrypt=true", tokens.acmeAdmin);
    assert.equal(head.status, 200, head.text);
    assert.ok(head.text.includes(ACME_SECRET));
    const old = path.join(dir, "a1-old.rsc");
    writeFileSync(old, git(gitDir("acme"), ["show", `${commit}~1:a1.rsc`]));
    assert.equal(cli(["decrypt", "-i", keys.acme!.identityFile, old]).code, 0);
    assert.equal(cli(["decrypt", "-i", keys.acme2!.identityFile, old]).code, 1);

    // Positive control: a real change after it is announced, and nothing was announced for the re-seal before it.
    sim.setExport("a1", ACME_EXPORT.replace("set name=acme-r1", "set name=acme-r2"));
    const changed = JSON.parse((await api("acme", "/devices/a1/backup", tokens.acmeAdmin, { method: "POST" })).text).commit as string;
    assert.doesNotMatch(headMessage("acme"), /Resealed/);
    await until("the real change's event", 30_000, () => (events("acme").some((e) => e.commit === changed) ? true : undefined));
    assert.equal(events("acme").length, acmeEvents + 1, "one event: the real change; none for the re-seal");
    assert.ok(!events("acme").some((e) => e.commit === commit));
  });

  it("rosarchive reseal re-seals a tenant's snapshots now, one labelled commit per device, no config.changed; a second run has nothing to do", async () => {
    const betaEvents = events("beta").length;
    writeConfig("acme2", "beta2");
    await reload();
    // The service holds the new keys; the command opens the current snapshots with the old identity.
    const r = await cliAsync(["reseal", "-c", configFile(), "-i", keys.beta!.identityFile, "beta"], { env: { ROUTER_PASSWORD: TEST_PASSWORD, HOOK_SECRET: "hook-secret" } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].result, "resealed");
    const message = headMessage("beta");
    assert.match(message, /^b1: re-sealed 1 value for new recipients\n/, message);
    assert.match(message, /\nTrigger: manual\n/);
    assert.match(message, /\nNormalizer: 1\nResealed: true\n+$/, "after the standard trailers");
    fsckStrict(gitDir("beta"));

    const file = path.join(dir, "b1-resealed.rsc");
    writeFileSync(file, git(gitDir("beta"), ["show", "main:b1.rsc"]));
    const withNew = cli(["decrypt", "-i", keys.beta2!.identityFile, file]);
    assert.equal(withNew.code, 0, withNew.stderr);
    assert.ok(withNew.stdout.includes(`password=${BETA_SECRET}`));
    assert.ok(withNew.stdout.includes(`set name=${acmeToken}`), "the pasted text stays literal through the re-seal");

    // The running service sees the re-sealed state: its next backup of the unchanged router makes no commit.
    const next = await api("beta", "/devices/b1/backup", tokens.betaAdmin, { method: "POST" });
    assert.equal(next.status, 200, next.text);
    const again = await cliAsync(["reseal", "-c", configFile(), "beta", "b1"], { env: { ROUTER_PASSWORD: TEST_PASSWORD, HOOK_SECRET: "hook-secret" } });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout.trim()).result, "unchanged");

    // No config.changed for the re-seal: the next real change's event is the only new one.
    sim.setExport("b1", betaExport(acmeToken).replace("service=pppoe", "service=any"));
    const changed = JSON.parse((await api("beta", "/devices/b1/backup", tokens.betaAdmin, { method: "POST" })).text).commit as string;
    await until("the real change's event", 30_000, () => (events("beta").some((e) => e.commit === changed) ? true : undefined));
    assert.equal(events("beta").length, betaEvents + 1);
  });

  it("rosarchive reseal without an identity says which key to set; unknown devices are refused", async () => {
    writeConfig("acme2", "beta2", { betaIdentity: false });
    const r = cli(["reseal", "-c", configFile(), "beta"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tenant beta has no identity to open its current snapshots: set tenants\.beta\.encryption\.identity_file, or pass -i IDENTITY_FILE/);
    const u = cli(["reseal", "-c", configFile(), "-i", keys.beta2!.identityFile, "beta", "nope"]);
    assert.equal(u.code, 1);
    assert.match(u.stderr, /device nope is not in tenant beta/);
    const h = cli(["reseal", "--help"]);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /usage: rosarchive reseal -c FILE/);
  });
});
