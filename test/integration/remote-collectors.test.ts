import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { constants as zlibConstants, inflateRawSync } from "node:zlib";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { freePort } from "../../src/cli/nats-server.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { encodeMessage } from "../../src/remote/index.js";
import { startSimulator, usableKeyPair, type Simulator } from "../../src/simulator/index.js";
import { cli, keygen } from "../helpers/cli.js";
import { allObjects, fsckStrict, git } from "../helpers/git.js";
import { collectorPermissions, natsAvailable, spawnRosarchive, startNats, type NatsServer, type Proc } from "../helpers/nats.js";
import { sshdAvailable, startSshd, type Sshd } from "../helpers/openssh.js";
import { Receiver } from "../helpers/receiver.js";
import { distinctive, sensitiveValues } from "../helpers/secrets.js";
import { readFixture, TEST_PASSWORD, TEST_USER, V7_FIXTURE } from "../helpers/simulator.js";
import { filesUnder, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const NATS_PASSWORDS = { core: randomBytes(12).toString("hex"), a: randomBytes(12).toString("hex") };

/** A line for every sensitive catalog entry, each with its own canary value. */
function canaryBlock(tag: string): string {
  const lines: string[] = [];
  ROUTEROS.sensitiveParams.forEach((p, i) => {
    const value = i === 0 ? `"canary ${tag} with spaces ${i}"` : `canary-${tag}-${i}-${randomBytes(4).toString("hex")}`;
    const menu = p.menus?.[0] ?? "/ppp secret";
    lines.push(menu, p.name === "name" ? `add ${p.name}=${value}` : `add comment=leak-${i} ${p.name}=${value}`);
  });
  return `${lines.join("\r\n")}\r\n`;
}

/** Every gzip member in a buffer (a store file holds many messages), inflated as far as it goes. */
function gzipMembers(buf: Buffer): string[] {
  const out: string[] = [];
  for (let i = buf.indexOf(GZIP_MAGIC); i >= 0; i = buf.indexOf(GZIP_MAGIC, i + 1)) {
    try {
      // Our gzip header is the plain 10 bytes; the deflate stream after it ends on its own, whatever follows.
      out.push(inflateRawSync(buf.subarray(i + 10), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString("utf8"));
    } catch {
      /* not a member after all */
    }
  }
  return out;
}
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);

/**
 * Remote collectors over a real nats-server (JetStream, file storage): the
 * core (`serve` with a nats: block) and two collector processes on loopback,
 * the simulator and one real OpenSSH device. c1 is a site-a collector with a
 * small collector file and NATS permissions limited to site a; c2 runs with
 * the core's own config file for sites a and b.
 */
describe("remote collectors over NATS JetStream", function () {
  this.timeout(600_000);
  const SITE_A = ["a-0", "a-1", "a-2", "a-3"];
  const SITE_B = ["b-0", "b-1"];
  const texts = new Map<string, string>();
  const tokens = { operator: randomBytes(24).toString("base64url"), admin: randomBytes(24).toString("base64url") };
  let dir: string;
  let nats: NatsServer;
  let sim: Simulator;
  let sshd: Sshd;
  let core: Proc;
  let c1: Proc;
  let c2: Proc;
  let url: string;
  let identityFile: string;
  const receiver = new Receiver();
  let round = 0;

  const api = async (p: string, init: RequestInit = {}, role: keyof typeof tokens = "operator") => {
    const res = await fetch(`${url}/api/v1/tenants/acme${p}`, { ...init, headers: { authorization: `Bearer ${tokens[role]}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
  };
  const backup = (id: string) => api(`/devices/${id}/backup`, { method: "POST" });
  const commits = (id: string) => Number(git(path.join(dir, "repos/acme.git"), ["rev-list", "--count", "main", "--", `${id}.rsc`]).trim());
  /** A new, unique non-secret line: the device's next export differs. */
  const change = (id: string) => {
    round++;
    const next = `${texts.get(id)!}/system note\r\nset note="round ${round}"\r\n`;
    texts.set(id, next);
    if (id === "ossh") writeFileSync(path.join(sshd.dir, "export.rsc"), next);
    else sim.setExport(id, next);
  };
  const metric = async (name: string, labels: string) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = new RegExp(`^${name}\\{${labels}\\} (\\d+)`, "m").exec(text);
    return m ? Number(m[1]) : 0;
  };

  before(async () => {
    assert.ok(natsAvailable(), "nats-server is installed (.ci/run installs Debian's nats-server)");
    assert.ok(sshdAvailable(), "OpenSSH's sshd is installed");
    dir = tempDir();
    const keys = keygen(dir);
    identityFile = keys.identityFile;
    nats = await startNats(path.join(dir, "nats"), [
      { user: "core", password: NATS_PASSWORDS.core },
      { user: "collector-a", password: NATS_PASSWORDS.a, ...collectorPermissions("c1", ["a"]) },
    ]);
    const base = readFixture(V7_FIXTURE).replace(/\r?\n?$/, "\r\n");
    const simIds = [...SITE_A, ...SITE_B, "c-0"];
    simIds.forEach((id, i) => texts.set(id, `${base}${canaryBlock(String(i))}`));
    texts.set("ossh", `${base}${canaryBlock("ossh")}`);
    sim = await startSimulator({ devices: simIds.map((id) => ({ id, exportText: texts.get(id)!, version: "7.17.2", username: TEST_USER, password: TEST_PASSWORD })) });
    sshd = await startSshd({ exportText: texts.get("ossh")!, version: "7.17.2" });
    const sshKey = path.join(dir, "ossh-key");
    writeFileSync(sshKey, sshd.clientPrivateKey, { mode: 0o600 });
    await receiver.start();
    mkdirSync(path.join(dir, "hooks"), { recursive: true });
    const natsBlock = (user: string) => `nats: { url: "${nats.url}", user: ${user}, password_env: NATS_PASSWORD, ack_wait: 3s, job_deadline: 2m, collector_ttl: 3s, heartbeat: 1s }`;
    const device = (id: string, site: string) => `      - { id: ${id}, host: 127.0.0.1, port: ${sim.devices.get(id)!.port}, site: ${site} }`;
    writeFileSync(
      path.join(dir, "core.yaml"),
      `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
log_level: debug
encryption:
  recipients: [${keys.recipient}]
schedule: { interval: 24h, first_run_window: 24h, concurrency: 4, connect_timeout: 5s, command_timeout: 30s, backoff: [1h] }
limits: { webhook_retry_start: 200ms, manual_backups_per_minute: 100 }
${natsBlock("core")}
defaults: { username: ${TEST_USER}, password_env: ROUTER_PASSWORD }
tenants:
  acme:
    tokens:
      - { name: o, role: operator, sha256: "${sha(tokens.operator)}" }
      - { name: a, role: admin, sha256: "${sha(tokens.admin)}" }
    webhooks:
      - { url: "${receiver.url}", secret_env: WEBHOOK_SECRET, events: [config.changed] }
    devices:
${SITE_A.map((id) => device(id, "a")).join("\n")}
${SITE_B.map((id) => device(id, "b")).join("\n")}
${device("c-0", "c")}
      - { id: ossh, host: 127.0.0.1, port: ${sshd.port}, site: a, username: ${sshd.username}, private_key_file: ${sshKey} }
`,
    );
    // The small collector file: NATS, sites, credentials, recipients and the index key; no tokens, no webhooks.
    writeFileSync(
      path.join(dir, "c1.yaml"),
      `role: collector
log_level: debug
${natsBlock("collector-a")}
collector: { id: c1, sites: [a], concurrency: 4 }
encryption:
  recipients: [${keys.recipient}]
  index_key_file: ${dir}/state/secret-index.key
schedule: { connect_timeout: 5s, command_timeout: 30s }
defaults: { username: ${TEST_USER}, password_env: ROUTER_PASSWORD }
tenants:
  acme:
    devices:
      - { id: ossh, host: 127.0.0.1, port: ${sshd.port}, username: ${sshd.username}, private_key_file: ${sshKey} }
`,
    );
    const env = { ROUTER_PASSWORD: TEST_PASSWORD, WEBHOOK_SECRET: "whsec-remote-test", HOME: dir };
    core = spawnRosarchive(["serve", "-c", path.join(dir, "core.yaml")], { ...env, NATS_PASSWORD: NATS_PASSWORDS.core });
    url = (await core.waitFor(/"event":"serve.listening".*?"url":"(http:[^"]+)"/, 60_000, "the core to listen"))[1]!;
    c1 = spawnRosarchive(["collector", "-c", path.join(dir, "c1.yaml"), "--listen", `127.0.0.1:${await freePort()}`], { ...env, NATS_PASSWORD: NATS_PASSWORDS.a });
    c2 = spawnRosarchive(["collector", "-c", path.join(dir, "core.yaml"), "--site", "a", "--site", "b", "--id", "c2", "--concurrency", "4"], { ...env, NATS_PASSWORD: NATS_PASSWORDS.core });
    await c1.waitFor(/"event":"collector.ready"/, 60_000, "c1 ready");
    await c2.waitFor(/"event":"collector.ready"/, 60_000, "c2 ready");
    await until("both collectors listed as live", 30_000, async () => {
      const r = await api("/collectors");
      const live = (r.body.collectors as Array<{ id: string; live: boolean }>).filter((c) => c.live).map((c) => c.id);
      return live.includes("c1") && live.includes("c2") ? true : undefined;
    });
  });

  after(async () => {
    for (const p of [c1, c2, core]) await p?.kill("SIGKILL");
    await nats?.stop();
    await sim?.stop();
    await sshd?.stop();
    await receiver.stop();
  });

  it("archives every device of sites a and b through the collectors; site b only by c2; the API lists both collectors", async () => {
    const ids = [...SITE_A, ...SITE_B, "ossh"];
    const answers = await Promise.all(ids.map((id) => backup(id)));
    answers.forEach((r, i) => assert.equal(r.status, 201, `${ids[i]}: ${JSON.stringify(r.body)}\n${core.output().slice(-3000)}`));
    for (const id of ids) assert.equal(commits(id), 1, `${id}: one commit`);
    for (const id of SITE_B) {
      const done = [...core.output().matchAll(new RegExp(`"event":"backup.done".*?"device":"${id}".*?"collector":"(c\\d)"`, "g"))].map((m) => m[1]);
      assert.deepEqual([...new Set(done)], ["c2"], `${id} was collected by c2 only`);
    }
    assert.doesNotMatch(c1.output(), /"device":"b-/, "the site-a collector never took a site-b job");
    assert.doesNotMatch(c1.output(), /collector\.(no_consumer|pull_failed|publish_retry|job_failed)/, "the documented permissions are enough");
    const listed = await api("/collectors");
    assert.equal(listed.status, 200);
    const cs = listed.body.collectors as Array<{ id: string; site: string; live: boolean; version: string; in_flight: number }>;
    assert.deepEqual(cs.map((c) => `${c.site}/${c.id}`).sort(), ["a/c1", "a/c2", "b/c2"]);
    assert.ok(cs.every((c) => c.live && c.version === "0.1.0" && c.in_flight >= 0));
    const sites = listed.body.sites as Array<{ site: string; devices: number; live_collectors: number }>;
    assert.deepEqual(sites.find((s) => s.site === "c"), { site: "c", devices: 1, live_collectors: 0 });
  });

  it("an unchanged device makes no commit: the job's previous index keeps every ciphertext", async () => {
    const ids = [...SITE_A, ...SITE_B, "ossh"];
    const answers = await Promise.all(ids.map((id) => backup(id)));
    answers.forEach((r, i) => assert.equal(r.status, 200, `${ids[i]}: ${JSON.stringify(r.body)}`));
    for (const id of ids) assert.equal(commits(id), 1, `${id}: still one commit`);
  });

  it("a site with no live collector: 502 no_collector and the device is failing with that code", async () => {
    // The core gives collectors one TTL (3 s here) after its start to announce themselves; after that site c has none.
    await new Promise((r) => setTimeout(r, 4000));
    const r = await backup("c-0");
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.equal(r.body.error?.code, "no_collector");
    assert.match(r.body.error!.message, /site c/);
    const d = await api("/devices/c-0");
    assert.equal(d.body.status, "failing");
    assert.equal((d.body.last_error as { code: string }).code, "no_collector");
    assert.equal(sim.execCount("c-0"), 0, "nobody connected to it");
  });

  it("a changed host key stops the collector before authentication: blocked with both fingerprints until accepted", async () => {
    const before = await api("/devices/a-3");
    const pinned = before.body.host_key as string;
    assert.match(pinned, /^SHA256:/);
    const execs = sim.execCount("a-3");
    const presented = sim.setHostKey("a-3", usableKeyPair().private);
    const r = await backup("a-3");
    assert.equal(r.status, 502);
    assert.equal(r.body.error?.code, "host_key_mismatch");
    assert.equal(sim.execCount("a-3"), execs, "no command ran");
    const d = await api("/devices/a-3");
    assert.equal(d.body.status, "blocked");
    assert.equal(d.body.host_key, pinned);
    assert.equal(d.body.presented_host_key, presented);
    // Blocked: no job goes out until an admin accepts.
    assert.equal((await backup("a-3")).body.error?.code, "host_key_mismatch");
    // The admin accepts exactly the presented fingerprint; the next job carries it as the pin.
    assert.equal((await api(`/devices/a-3/host-key/accept?fingerprint=${encodeURIComponent(presented)}`, { method: "POST" }, "admin")).status, 200);
    assert.equal((await api("/devices/a-3")).body.host_key, presented);
    // Accepting starts a backup at once (through the queue): the collector takes the new pin and the device is ok again.
    await until("a-3 backed up again with the new pin", 60_000, async () => ((await api("/devices/a-3")).body.status === "ok" ? true : undefined));
    assert.equal((await api("/devices/a-3")).body.host_key, presented);

    // The real OpenSSH device too.
    const osshPin = (await api("/devices/ossh")).body.host_key;
    assert.equal(osshPin, sshd.fingerprint());
    await sshd.rotateHostKey();
    const o = await backup("ossh");
    assert.equal(o.body.error?.code, "host_key_mismatch");
    assert.equal((await api("/devices/ossh")).body.presented_host_key, sshd.fingerprint());
  });

  it("a collector killed (-9) mid-export: its jobs go to the other after the ack wait; each device archived exactly once", async () => {
    const ids = SITE_A.slice(0, 3);
    for (const id of ids) sim.setDelay(id, 6000);
    // Both collectors pull site a's jobs; a round where c2 happens to take all of them is archived normally and the round is repeated.
    for (let attempt = 1; ; attempt++) {
      for (const id of ids) change(id);
      const before = new Map(ids.map((id) => [id, commits(id)]));
      const mark = c1.output().length;
      const events = receiver.received.length;
      const pending = ids.map((id) => backup(id));
      let settled = false;
      void Promise.all(pending).then(() => (settled = true));
      await until("c1 to hold a job, or the round to end", 90_000, () => (settled || /"event":"collector.job_started"/.test(c1.output().slice(mark)) ? true : undefined));
      const c1Held = /"event":"collector.job_started"/.test(c1.output().slice(mark));
      if (c1Held) await c1.kill("SIGKILL");
      const answers = await Promise.all(pending);
      answers.forEach((r, i) => assert.equal(r.status, 201, `${ids[i]}: ${JSON.stringify(r.body)}`));
      for (const id of ids) assert.equal(commits(id), before.get(id)! + 1, `${id}: exactly one new commit`);
      await receiver.waitFor(events + ids.length, 30_000);
      if (!c1Held) {
        assert.ok(attempt < 8, "c1 never got a job of site a in 8 rounds");
        continue;
      }
      assert.match(c2.output(), /"event":"collector.job_started"[^\n]*"delivery":2/, "c2 took a redelivered job");
      await new Promise((r) => setTimeout(r, 4000)); // any late duplicate would arrive by now
      const changed = receiver.received.slice(events).map((r) => JSON.parse(r.body.toString("utf8")) as { commit: string });
      assert.equal(changed.length, ids.length, "one config.changed event per commit, none twice");
      assert.equal(new Set(changed.map((e) => e.commit)).size, ids.length);
      break;
    }
    for (const id of ids) sim.setDelay(id, 0);
  });

  it("NATS restarted during a run: core and collector reconnect, nothing is lost", async () => {
    const ids = [...SITE_A.slice(0, 3), ...SITE_B];
    for (const id of ids) {
      sim.setDelay(id, 2500);
      change(id);
    }
    const before = new Map(ids.map((id) => [id, commits(id)]));
    const mark = { core: core.output().length, c2: c2.output().length };
    const pending = ids.map((id) => backup(id));
    await until("jobs to be taken", 60_000, () => ((c2.output().slice(mark.c2).match(/"event":"collector.job_started"/g) ?? []).length >= 2 ? true : undefined));
    await nats.restart();
    const answers = await Promise.all(pending);
    answers.forEach((r, i) => assert.equal(r.status, 201, `${ids[i]}: ${JSON.stringify(r.body)}`));
    for (const id of ids) assert.equal(commits(id), before.get(id)! + 1, `${id}: its change archived once`);
    await until("the collector to say it reconnected", 30_000, () => (/"event":"collector.nats_reconnected"/.test(c2.output().slice(mark.c2)) ? true : undefined));
    assert.match(core.output().slice(mark.core), /"event":"remote.nats_reconnect"/);
    for (const id of ids) sim.setDelay(id, 0);
    // And after it, new work flows as before.
    change("b-0");
    assert.equal((await backup("b-0")).status, 201);
  });

  it("forged snapshots (unknown job, wrong site, garbage) are refused, counted and change nothing; an expired job is dropped; a site-a collector cannot take site-b jobs", async () => {
    const before = commits("a-0");
    const nc: NatsConnection = await connect({ servers: nats.url, user: "core", pass: NATS_PASSWORDS.core });
    try {
      const js = jetstream(nc);
      const forged = {
        v: 1,
        job: "forged-job-0001",
        tenant: "acme",
        device: "a-0",
        site: "a",
        trigger: "manual",
        issued_at: Date.now(),
        mac: "0".repeat(64),
        collector: "evil",
        collector_version: "0.1.0",
        collected_at: Date.now(),
        outcome: "ok",
        text: "/system identity\nset name=forged\n",
        index: {},
        sealed_values: 0,
        plaintext_fingerprint: "1".repeat(64),
        version: "7.17.2",
        fingerprint: "SHA256:forged",
        bytes: 10,
      };
      await js.publish("rosarchive.snapshots.a", await encodeMessage(forged));
      await js.publish("rosarchive.snapshots.b", await encodeMessage(forged));
      await js.publish("rosarchive.snapshots.a", new TextEncoder().encode("not a snapshot"));
      await until("three refusals counted", 30_000, async () =>
        (await metric("rosarchive_remote_snapshots_refused_total", 'reason="unknown_job"')) >= 1 &&
        (await metric("rosarchive_remote_snapshots_refused_total", 'reason="site_mismatch"')) >= 1 &&
        (await metric("rosarchive_remote_snapshots_refused_total", 'reason="malformed"')) >= 1
          ? true
          : undefined,
      );
      assert.equal(commits("a-0"), before, "no commit from a forged snapshot");
      // A job past its deadline is dropped by the collector, never collected, and counted.
      const execs = sim.execCount("b-0");
      const expired = { v: 1, job: "expired-job-0001", tenant: "acme", device: "b-0", site: "b", host: "127.0.0.1", port: sim.devices.get("b-0")!.port, trigger: "scheduled", pinned_fingerprint: null, known_version: null, blocked_credentials: null, previous_index: {}, sensitive: null, issued_at: Date.now() - 120_000, deadline: Date.now() - 60_000, mac: "0".repeat(64) };
      await js.publish("rosarchive.jobs.b", await encodeMessage(expired));
      await c2.waitFor(/"event":"collector.job_expired"[^\n]*"job":"expired-job-0001"/, 30_000, "the expired job dropped");
      assert.equal(sim.execCount("b-0"), execs, "the expired job's device was not contacted");
      assert.match(core.output(), /"event":"snapshot.refused","reason":"unknown_job"/);
    } finally {
      await nc.close();
    }

    // The site-a collector's NATS user: site b's jobs and snapshots are out of reach.
    const limited = await connect({ servers: nats.url, user: "collector-a", pass: NATS_PASSWORDS.a, inboxPrefix: "rosarchive.inbox.c1" });
    try {
      const js = jetstream(limited, { timeout: 5000 });
      await assert.rejects(async () => {
        const c = await js.consumers.get("ROSARCHIVE_JOBS", "jobs-b");
        await c.next({ expires: 2000 });
      }, "pulling site b's jobs is refused");
      await assert.rejects(() => js.publish("rosarchive.snapshots.b", new TextEncoder().encode("x"), { timeout: 3000 }), "publishing a site-b snapshot is refused");
      const own = await js.consumers.get("ROSARCHIVE_JOBS", "jobs-a");
      assert.equal(await own.next({ expires: 1000 }), null, "its own site's queue is reachable (and empty)");
    } finally {
      await limited.close();
    }
  });

  it("a collector drains on SIGTERM; no plaintext secret in the JetStream store, collector logs, core logs or core state; the archive decrypts to them (control)", async () => {
    // The core stops; a collector still answers jobs, so sealed snapshots stay in the stream for the scan to read.
    await core.kill("SIGTERM");
    const nc = await connect({ servers: nats.url, user: "core", pass: NATS_PASSWORDS.core });
    try {
      const js = jetstream(nc);
      for (const [i, id] of ["a-0", "b-1"].entries()) {
        sim.setDelay(id, 3000);
        const job = { v: 1, job: `leak-sweep-job-${i}`, tenant: "acme", device: id, site: id[0], host: "127.0.0.1", port: sim.devices.get(id)!.port, trigger: "manual", pinned_fingerprint: null, known_version: null, blocked_credentials: null, previous_index: {}, sensitive: null, issued_at: Date.now(), deadline: Date.now() + 60_000, mac: "0".repeat(64) };
        await js.publish(`rosarchive.jobs.${id[0]}`, await encodeMessage(job));
      }
      // SIGTERM while it holds both jobs: it drains them (collects, publishes) and exits 0.
      await until("c2 to hold both jobs", 60_000, () => ((c2.output().match(/"event":"collector.job_started"[^\n]*"job":"leak-sweep-job-/g) ?? []).length >= 2 ? true : undefined));
      c2.child.kill("SIGTERM");
      assert.equal(await c2.exited, 0, "the collector drained and exited cleanly");
      assert.equal((c2.output().match(/"event":"collector.job_done"[^\n]*"job":"leak-sweep-job-/g) ?? []).length, 2, "both held jobs were published before it exited");
      assert.match(c2.output(), /"event":"collector.stopped"/);
    } finally {
      await nc.close();
    }
    const secrets = [...new Set([...distinctive([...texts.values()].flatMap((t) => sensitiveValues(t))), TEST_PASSWORD])];
    assert.ok(secrets.length > 6 * ROUTEROS.sensitiveParams.length, `secrets to look for: ${secrets.length}`);
    const gitDir = path.join(dir, "repos/acme.git");
    fsckStrict(gitDir);
    // Positive control: the archived file of a-0 decrypts to its canaries.
    const archived = git(gitDir, ["show", "main:a-0.rsc"]);
    const plain = cli(["decrypt", "-i", identityFile], { input: archived });
    assert.equal(plain.code, 0, plain.stderr);
    const canaries = secrets.filter((s) => s.startsWith("canary-0-"));
    assert.ok(canaries.length > 10);
    for (const c of canaries) assert.ok(plain.stdout.includes(c), `decrypt shows ${c}`);

    const scan = (where: string, haystack: string) => {
      assert.ok(haystack.length > 0, `${where}: something to scan`);
      for (const s of secrets) {
        const at = haystack.indexOf(s);
        assert.equal(at, -1, `${where} holds a secret (${s.slice(0, 3)}…, ${s.length} chars)`);
      }
    };
    const store = filesUnder(nats.storeDir);
    assert.ok(store.some((f) => f.includes("ROSARCHIVE_SNAPSHOTS")) && store.some((f) => statSync(f).size > 1000), "the JetStream store holds stream files");
    const raw = store.map((f) => readFileSync(f));
    scan("the JetStream store", raw.map((b) => b.toString("latin1")).join("\n"));
    // Jobs and snapshots are gzipped JSON on the wire and in the store: scan every gzip member found in the files, inflated.
    const inflated = raw.flatMap((b) => gzipMembers(b)).join("\n");
    assert.match(inflated, /"outcome":"ok"[^]*=age:/, "the inflated store holds sealed snapshots (the scan reads what was stored)");
    scan("the JetStream store, inflated", inflated);
    scan("c1's log", c1.output());
    scan("c2's log", c2.output());
    scan("the core's log", core.output());
    scan("the core's state_dir", filesUnder(path.join(dir, "state")).map((f) => readFileSync(f).toString("latin1")).join("\n"));
    scan("git objects", allObjects(gitDir).toString("utf8"));
  });
});
