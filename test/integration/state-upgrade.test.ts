import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startService } from "../../src/cli/start-service.js";
import { loadConfig, type Config } from "../../src/config/index.js";
import { createLogger, silentLogger } from "../../src/observe/index.js";
import { keygen, cli } from "../helpers/cli.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const FIXTURE = path.join(REPO_ROOT, "test/fixtures/state-0.1.0/state");
const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/** Every file under `dir` with its bytes, relative paths sorted. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.set(r, readFileSync(path.join(dir, r)).toString("base64"));
    }
  };
  walk("");
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * A state_dir written by release 0.1.0 (test/fixtures/state-0.1.0: flat secret
 * index files, one audit file per tenant, no FORMAT) is migrated by this
 * release when it starts, with nothing lost; state written by a newer release
 * is refused, untouched, with a message that says what to do.
 */
describe("state upgrades: 0.1.0's state_dir migrates; a newer one is refused", function () {
  this.timeout(120_000);
  const admin = randomBytes(24).toString("base64url");

  function setUp(): { dir: string; state: string; file: string; config: () => Config } {
    const dir = tempDir();
    const state = path.join(dir, "state");
    cpSync(FIXTURE, state, { recursive: true });
    // The fixture was recorded with core-1 due at 2026-11-30T00:39Z; a scheduler started after that time would back it
    // up at once and collide with this test's own backup. Its next run goes a year ahead of today, as written by 0.1.0.
    const core = path.join(state, "devices/acme/core-1.json");
    const recorded = JSON.parse(readFileSync(core, "utf8")) as { next_run: string };
    writeFileSync(core, JSON.stringify({ ...recorded, next_run: new Date(Date.now() + 365 * 86_400_000).toISOString() }, null, 1));
    const keys = keygen(dir);
    const file = path.join(dir, "config.yaml");
    writeFileSync(
      file,
      `listen: 127.0.0.1:0
data_dir: ./repos
state_dir: ./state
hooks_dir: ./hooks
encryption: { recipients: [${keys.recipient}] }
schedule: { interval: 1d, first_run_window: 1d }
defaults: { username: backup, password: unused }
tenants:
  acme:
    tokens: [{ name: boss, role: admin, sha256: "${sha(admin)}" }]
    webhooks: [{ url: "http://127.0.0.1:9/rosarchive", secret_env: HOOK_SECRET }]
    devices:
      - { id: core-1, host: 127.0.0.1, port: 1, group: fra }
      - { id: edge-2, host: 127.0.0.1, port: 1 }
`,
    );
    return { dir, state, file, config: () => loadConfig(readFileSync(file, "utf8"), { baseDir: dir }) };
  }

  it("reads 0.1.0 state read-only without changing it (status), then migrates it at start: pins, device state, secret index, outbox and audit carry over", async () => {
    const { state, file, config } = setUp();
    const before = snapshot(state);

    const status = cli(["status", "-c", file, "acme", "--json"]);
    assert.equal(status.code, 0, status.stderr);
    const listed = JSON.parse(status.stdout) as { devices: Array<{ id: string; status: string }> };
    assert.deepEqual(listed.devices.map((d) => [d.id, d.status]), [["core-1", "ok"], ["edge-2", "blocked"]]);
    assert.deepEqual(snapshot(state), before, "a read-only command leaves 0.1.0 state as it is");

    let logs = "";
    const log = createLogger({ level: "info", destination: { write: (s: string) => ((logs += s), true) } as unknown as NodeJS.WritableStream });
    const svc = await startService(config(), { HOOK_SECRET: "s" }, { log, listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 }, webhookBackoff: () => 3_600_000 });
    try {
      assert.equal(readFileSync(path.join(state, "FORMAT"), "utf8"), "2\n");
      const migrated = logs.split("\n").find((l) => l.includes('"event":"state.migrated"'));
      assert.ok(migrated, logs);
      assert.deepEqual((({ from, to, files }) => ({ from, to, files }))(JSON.parse(migrated)), { from: 1, to: 2, files: 2 });

      // The secret index: the same keyed hashes and ciphertexts, now in the versioned form.
      for (const d of ["core-1", "edge-2"]) {
        const old = JSON.parse(Buffer.from(before.get(`secrets/acme/${d}.json`)!, "base64").toString("utf8")) as Record<string, string>;
        assert.ok(Object.keys(old).length > 0 || d === "edge-2");
        const now = JSON.parse(readFileSync(path.join(state, `secrets/acme/${d}.json`), "utf8")) as { format: number; index: Record<string, string> };
        assert.equal(now.format, 2);
        assert.deepEqual(now.index, old);
      }
      assert.equal(readFileSync(path.join(state, "secret-index.key")).toString("base64"), before.get("secret-index.key"), "the index key is untouched");

      // Device state and pins, as the API shows them.
      const get = async (p: string) => (await fetch(`${svc.url}/api/v1/tenants/acme${p}`, { headers: { authorization: `Bearer ${admin}` } })).json() as Promise<any>;
      const edge = await get("/devices/edge-2");
      const old = JSON.parse(Buffer.from(before.get("devices/acme/edge-2.json")!, "base64").toString("utf8"));
      assert.equal(edge.status, "blocked");
      assert.equal(edge.host_key, old.host_key);
      assert.equal(edge.presented_host_key, old.presented_host_key);
      assert.equal((await get("/devices/core-1")).last_change_commit, JSON.parse(Buffer.from(before.get("devices/acme/core-1.json")!, "base64").toString("utf8")).last_change_commit);

      // The outbox: the three waiting deliveries are the deliverer's queue.
      const depth = await until("the outbox to be scanned", 30_000, async () => {
        const m = /^rosarchive_webhook_outbox_depth (\d+)$/m.exec(await (await fetch(`${svc.url}/metrics`)).text());
        return m && Number(m[1]) === 3 ? 3 : undefined;
      });
      assert.equal(depth, 3);

      // The audit log: 0.1.0's entries, then this release's (an audited backup attempt), one chain.
      const attempt = await fetch(`${svc.url}/api/v1/tenants/acme/devices/core-1/backup`, { method: "POST", headers: { authorization: `Bearer ${admin}` } });
      assert.equal(attempt.status, 502, "nothing listens on port 1");
      const audit = (await get("/audit?limit=1000")).entries as Array<{ action: string }>;
      assert.equal(audit[0]!.action, "backup.manual");
      assert.deepEqual(audit.slice(-5).map((e) => e.action).reverse(), (readFileSync(path.join(FIXTURE, "audit/acme.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).action) as string[]));
    } finally {
      await svc.close();
    }
    const verify = cli(["audit", "verify", "-c", file, "acme"]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /audit chain intact from its first entry: [6-9] entries/);

    // A second start finds format 2: nothing is rewritten.
    const secretStamp = statSync(path.join(state, "secrets/acme/core-1.json")).mtimeMs;
    const again = await startService(config(), { HOOK_SECRET: "s" }, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
    await again.close();
    assert.equal(statSync(path.join(state, "secrets/acme/core-1.json")).mtimeMs, secretStamp);
  });

  it("refuses state of a newer format everywhere, changing nothing, saying what to do", async () => {
    const { state, file, config } = setUp();
    writeFileSync(path.join(state, "FORMAT"), "3\n");
    const before = snapshot(state);
    await assert.rejects(
      startService(config(), { HOOK_SECRET: "s" }, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } }),
      (err: Error & { code?: string }) => err.code === "state_format" && /written by a newer rosarchive \(state format 3; this release reads formats 1 to 2\): upgrade rosarchive/.test(err.message),
    );
    const serve = cli(["serve", "-c", file], { env: { HOOK_SECRET: "s" } });
    assert.equal(serve.code, 1);
    assert.match(serve.stderr, /rosarchive serve: .*state format 3/);
    for (const args of [["status", "-c", file, "acme"], ["audit", "verify", "-c", file, "acme"], ["state", "backup", "-c", file]]) {
      const r = cli(args);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, /newer rosarchive \(state format 3/, args.join(" "));
    }
    assert.deepEqual(snapshot(state), before, "nothing read is changed");
    assert.ok(!existsSync(path.join(path.dirname(state), "repos", "acme.git")), "nothing started");
  });

  it("refuses a FORMAT file it cannot read, naming it", async () => {
    const { state, file } = setUp();
    writeFileSync(path.join(state, "FORMAT"), "two\n");
    const r = cli(["status", "-c", file, "acme"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /FORMAT does not hold a state format number/);
  });
});
