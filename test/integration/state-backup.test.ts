import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseTarHeader, BLOCK } from "../../src/store/tar.js";
import type { Simulator } from "../../src/simulator/index.js";
import { BIN, keygen } from "../helpers/cli.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/** Runs the real CLI with stdin/stdout as bytes. */
function run(args: string[], opts: { input?: Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...opts.env } });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c) => (err += c));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? Buffer.alloc(0));
  });
}

/** Entry names of a tar, as stock `tar -t` lists them. */
function tarList(tar: Buffer, dir: string): string[] {
  const f = path.join(dir, `list-${randomBytes(3).toString("hex")}.tar`);
  writeFileSync(f, tar);
  return execFileSync("tar", ["-tf", f], { encoding: "utf8" }).trim().split("\n");
}

describe("state backup and restore: a consistent copy while serve runs, checked whole before it is restored", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let serve: ChildProcess | null = null;
  let dir = "";
  let file = "";
  let url = "";
  let logs = "";
  const operator = randomBytes(24).toString("base64url");
  const admin = randomBytes(24).toString("base64url");
  const env = { ROUTER_PASSWORD: TEST_PASSWORD, HOOK_SECRET: "hook-secret" };

  const configText = (stateDir: string) => `listen: 127.0.0.1:0
data_dir: ./repos
state_dir: ${stateDir}
hooks_dir: ./hooks
encryption: { recipients: [${keygen(dir).recipient}] }
schedule: { interval: 1d, first_run_window: 1d, connect_timeout: 3s, command_timeout: 5s }
limits: { manual_backups_per_minute: 1000, audit_segment_bytes: 4096 }
defaults: { username: backup, password_env: ROUTER_PASSWORD }
tenants:
  acme:
    tokens:
      - { name: ops, role: operator, sha256: "${sha(operator)}" }
      - { name: boss, role: admin, sha256: "${sha(admin)}" }
    webhooks: [{ url: "http://127.0.0.1:9/rosarchive", secret_env: HOOK_SECRET }]
    devices:
${[0, 1, 2].map((i) => `      - { id: dev-${i}, host: 127.0.0.1, port: ${sim.devices.get(`dev-${i}`)!.port} }`).join("\n")}
`;

  const startServe = async (config: string) => {
    logs = "";
    serve = spawn(process.execPath, [BIN, "serve", "-c", config], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    serve.stdout!.on("data", (c) => (logs += c));
    serve.stderr!.on("data", (c) => (logs += c));
    url = await until("serve to listen", 30_000, () => /"event":"serve.listening".*?"url":"(http:[^"]+)"/.exec(logs)?.[1]);
  };
  const stopServe = async () => {
    if (!serve) return;
    const s = serve;
    serve = null;
    s.kill("SIGTERM");
    await until("serve to stop", 30_000, () => (s.exitCode !== null || s.signalCode !== null ? true : undefined));
  };
  const backup = async (device: string, token = operator) => {
    const r = await fetch(`${url}/api/v1/tenants/acme/devices/${device}/backup`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    return { status: r.status, body: (await r.json()) as { changed?: boolean; commit?: string } };
  };

  before(async () => {
    sim = await startDevices(3);
    dir = tempDir();
    file = path.join(dir, "config.yaml");
    writeFileSync(file, configText("./state"));
    await startServe(file);
    for (const d of ["dev-0", "dev-1", "dev-2"]) assert.equal((await backup(d)).status, 201);
  });
  after(async () => {
    await stopServe();
    await sim?.stop();
  });

  it("backs up while serve writes (commits, outbox, audit), and every copy restores to state that verifies", async () => {
    // Writers: changed snapshots (commits, secret index, config.changed in the outbox) and audited backups.
    let stop = false;
    let round = 0;
    const writer = (async () => {
      while (!stop) {
        round++;
        sim.setExport("dev-0", readFixture(V7_FIXTURE).replace("set name=MikroTik", `set name=round-${round}`));
        await backup("dev-0");
        await backup("dev-1");
      }
    })();
    const copies: Buffer[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const r = await run(["state", "backup", "-c", file]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /state backup of .*: \d+ files, \d+ bytes \(state format 2\)/);
        copies.push(r.stdout);
      }
    } finally {
      stop = true;
      await writer;
    }
    assert.ok(round >= 2, "the backups ran while serve was writing");
    for (const [i, tar] of copies.entries()) {
      const names = tarList(tar, dir);
      assert.equal(names[0], "rosarchive-state/");
      assert.equal(names[1], "rosarchive-state/FORMAT");
      assert.equal(names[2], "rosarchive-state/secret-index.key", "the key before the index it opens");
      assert.equal(names.at(-1), "rosarchive-state.json", "the manifest closes the archive");
      for (const want of ["devices/acme/dev-0.json", "secrets/acme/dev-0.json", "audit/acme/000001.jsonl"]) assert.ok(names.includes(`rosarchive-state/${want}`), want);
      assert.ok(names.some((n) => /^rosarchive-state\/outbox\/acme\/[0-9a-f]{16}\/\d{20}-.+\.json$/.test(n)), "the waiting webhook deliveries");
      assert.ok(!names.some((n) => /\/\.|\.tmp$|\.lock$/.test(n)), "no temp or lock file");

      const restored = path.join(dir, `restored-${i}`);
      const cfg = path.join(dir, `restored-${i}.yaml`);
      writeFileSync(cfg, readFileSync(file, "utf8").replace("state_dir: ./state", `state_dir: ./restored-${i}`));
      const r = await run(["state", "restore", "-c", cfg], { input: tar });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(readFileSync(path.join(restored, "FORMAT"), "utf8"), "2\n");
      const verify = await run(["audit", "verify", "-c", cfg, "acme"]);
      assert.equal(verify.code, 0, `copy ${i}: ${verify.stderr}`);
      for (const d of ["dev-0", "dev-1", "dev-2"]) {
        JSON.parse(readFileSync(path.join(restored, `devices/acme/${d}.json`), "utf8"));
        assert.equal(JSON.parse(readFileSync(path.join(restored, `secrets/acme/${d}.json`), "utf8")).format, 2);
      }
      assert.equal(readFileSync(path.join(restored, "secret-index.key")).length, 32);
    }
  });

  it("a restored state_dir keeps ciphertexts and pins: no re-seal commit, a blocked device stays blocked; without it, both are lost", async () => {
    // dev-2 presents another host key: blocked. Then a backup of the whole state.
    const other = (await import("../../src/simulator/index.js")).usableKeyPair().private;
    sim.setHostKey("dev-2", other);
    assert.equal((await backup("dev-2")).status, 502);
    sim.setExport("dev-0", readFixture(V7_FIXTURE));
    const settle = await backup("dev-0");
    assert.ok(settle.status === 200 || settle.status === 201);
    const tar = (await run(["state", "backup", "-c", file])).stdout;
    await stopServe();

    // The machine is lost but the repositories (Git) and the state backup survive.
    rmSync(path.join(dir, "state"), { recursive: true });
    assert.equal((await run(["state", "restore", "-c", file], { input: tar })).code, 0);
    await startServe(file);
    const unchanged = await backup("dev-0");
    assert.equal(unchanged.status, 200, "same export, same ciphertexts: no commit");
    assert.equal(unchanged.body.changed, false);
    assert.equal((await backup("dev-2")).status, 502, "the pin survived: still blocked");
    await stopServe();

    // Without the state: every sealed value is sealed anew (one commit), every device re-trusted on first use.
    rmSync(path.join(dir, "state"), { recursive: true });
    await startServe(file);
    const resealed = await backup("dev-0");
    assert.equal(resealed.status, 201, "new ciphertexts for every secret: a commit");
    assert.equal((await backup("dev-2")).status, 201, "the changed key was trusted anew");
    await stopServe();
    // Leave serve running on a restored state for the rest.
    rmSync(path.join(dir, "state"), { recursive: true });
    assert.equal((await run(["state", "restore", "-c", file], { input: tar })).code, 0);
    await startServe(file);
  });

  it("copies an audit segment only up to its last whole line", async () => {
    const seg = path.join(dir, "state/audit/acme");
    const last = readdirSync(seg).filter((n) => n.endsWith(".jsonl")).sort().at(-1)!;
    const whole = readFileSync(path.join(seg, last));
    appendFileSync(path.join(seg, last), '{"time":"2026-01-01T00:00:00Z","actor":"half a li');
    try {
      const tar = (await run(["state", "backup", "-c", file])).stdout;
      // Find the segment's entry in the archive and compare its bytes.
      let at = 0;
      let found: Buffer | null = null;
      for (;;) {
        const h = parseTarHeader(tar.subarray(at, at + BLOCK));
        if (!h) break;
        at += BLOCK;
        if (h.name === `rosarchive-state/audit/acme/${last}`) found = tar.subarray(at, at + h.size);
        at += Math.ceil(h.size / BLOCK) * BLOCK;
      }
      assert.ok(found);
      assert.ok(whole.equals(found), "the torn tail is left out");
    } finally {
      writeFileSync(path.join(seg, last), whole);
    }
  });

  it("restores only into an empty state_dir, and only a whole, unedited archive of a format it knows", async () => {
    const tar = (await run(["state", "backup", "-c", file])).stdout;
    const target = path.join(dir, "target");
    const cfg = path.join(dir, "target.yaml");
    writeFileSync(cfg, readFileSync(file, "utf8").replace("state_dir: ./state", "state_dir: ./target"));
    const refused = async (input: Buffer, why: RegExp) => {
      const r = await run(["state", "restore", "-c", cfg], { input });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, why);
      assert.ok(!existsSync(target) || readdirSync(target).length === 0, "nothing restored");
      assert.deepEqual(readdirSync(dir).filter((n) => n.includes(".restore-")), [], "no half-restored folder left beside it");
    };
    await refused(tar.subarray(0, Math.floor(tar.length / 2)), /truncated|ends/);
    const edited = Buffer.from(tar);
    const i = edited.indexOf("host_key");
    edited[i + 20] = edited[i + 20]! ^ 1;
    await refused(edited, /does not match the manifest \(damaged or edited\)/);
    await refused(Buffer.from("not a tar at all".padEnd(2048, " ")), /not a usable state backup/);

    // A crafted archive whose entry would leave the folder.
    const { tarHeader, padding, END_OF_ARCHIVE } = await import("../../src/store/tar.js");
    const body = Buffer.from("x");
    const evil = Buffer.concat([tarHeader({ name: "rosarchive-state/../escaped", size: 1, type: "file", mode: 0o600, mtime: 0 }), body, padding(1), END_OF_ARCHIVE]);
    await refused(evil, /unsafe path/);
    assert.ok(!existsSync(path.join(dir, "escaped")));

    // A backup made by a newer release.
    const newer = Buffer.from(tar);
    const fmt = newer.indexOf("2\n", BLOCK * 2);
    assert.equal(fmt, BLOCK * 2, "FORMAT's content is the first data block");
    newer[fmt] = "3".charCodeAt(0);
    await refused(newer, /newer rosarchive \(state format 3/);

    // Not into a state_dir that holds anything.
    mkdirSync(target);
    writeFileSync(path.join(target, "keep.txt"), "x");
    const busy = await run(["state", "restore", "-c", cfg], { input: tar });
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /is not empty: stop the service and move it aside first/);
    assert.deepEqual(readdirSync(target), ["keep.txt"]);
    rmSync(target, { recursive: true });

    // The whole one restores.
    const ok = await run(["state", "restore", "-c", cfg], { input: tar });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /^restored \d+ files, \d+ bytes into .*target \(state format 2\)$/m);
  });

  it("names the state_dir it cannot find", async () => {
    const empty = path.join(dir, "empty.yaml");
    writeFileSync(empty, readFileSync(file, "utf8").replace("state_dir: ./state", "state_dir: ./nothing-here"));
    const r = await run(["state", "backup", "-c", empty]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /state_dir .*nothing-here is empty or missing: nothing to back up/);
  });
});
