import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { BIN } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const CURL = "/usr/bin/curl";
const GIT_ENV = { GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };

/** A long-running `rosarchive ...` child with its output collected as it arrives. */
interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], cwd: string): Running {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...GIT_ENV } });
  const run: Running = {
    child,
    stdout: "",
    stderr: "",
    exited: new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal }))),
  };
  child.stdout.on("data", (c) => (run.stdout += c));
  child.stderr.on("data", (c) => (run.stderr += c));
  started.push(child);
  return run;
}

/** Whatever a failed test left running is killed when the file's suites end. */
const started: ChildProcessWithoutNullStreams[] = [];
after(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

/** Runs a printed line exactly as an operator would paste it into a shell. */
function sh(line: string, cwd: string): string {
  return execFileSync("sh", ["-c", line], { cwd, encoding: "utf8", env: { ...process.env, ...GIT_ENV }, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

/** The printed curl line: run as printed when curl exists, else the same request with fetch. */
async function curl(line: string, cwd: string): Promise<string> {
  if (existsSync(CURL)) return sh(line, cwd);
  console.warn(`      (no ${CURL}: the printed curl line is replayed with fetch)`);
  const m = /-H 'Authorization: Bearer (\S+)' (\S+)$/.exec(line)!;
  const res = await fetch(m[2]!, { headers: { authorization: `Bearer ${m[1]}` } });
  return res.text();
}

/** Commits touching `file` on main; 0 while the repository or branch does not exist yet. */
function commitsOf(gitDir: string, file: string): number {
  try {
    return Number(execFileSync("git", ["--git-dir", gitDir, "rev-list", "--count", "main", "--", file], { encoding: "utf8", env: { ...process.env, ...GIT_ENV }, stdio: ["ignore", "pipe", "pipe"] }).trim());
  } catch {
    return 0;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

interface Printed {
  url: string;
  viewer: string;
  admin: string;
  history: string;
  diff: string;
  clone: string;
  decrypt: string;
}

/** Parses the block `rosarchive demo` prints, line by line as a reader would find them. */
function parsePrinted(out: string): Printed {
  const lines = out.split("\n").map((l) => l.trim());
  const find = (re: RegExp) => {
    const line = lines.find((l) => re.test(l));
    assert.ok(line, `printed block has a line matching ${re}:\n${out}`);
    return line;
  };
  return {
    url: /^API\s+(\S+)$/.exec(find(/^API\s/))![1]!,
    viewer: /^viewer token\s+(\S+)$/.exec(find(/^viewer token\s/))![1]!,
    admin: /^admin token\s+(\S+)$/.exec(find(/^admin token\s/))![1]!,
    history: find(/^curl .*\/history$/),
    diff: find(/^curl .*\/diff$/),
    clone: find(/^git clone /),
    decrypt: find(/^(?:npx )?rosarchive decrypt /),
  };
}

describe("rosarchive demo (the real executable)", function () {
  const dir = path.join(tempDir(), "demo-data");
  const work = tempDir();
  let demo: Running;
  let printed: Printed;

  before(async function () {
    demo = start(["demo", "--devices", "4", "--port", "0", "--dir", dir, "--change-every", "2", "--interval", "2s"], work);
    await until("the printed block", 30_000, () => {
      if (demo.child.exitCode !== null) throw new Error(`demo exited ${demo.child.exitCode}: ${demo.stderr}`);
      return demo.stdout.includes("Ctrl-C stops the demo") ? true : undefined;
    });
    printed = parsePrinted(demo.stdout);
  });

  it("prints the real listening port when started with --port 0, and tokens", async function () {
    const port = Number(new URL(printed.url).port);
    assert.ok(port > 0, printed.url);
    assert.ok(await portOpen(port));
    assert.match(printed.viewer, /^ra_/);
    assert.match(printed.admin, /^ra_/);
    assert.notEqual(printed.viewer, printed.admin);
    // The config the demo wrote is a real one: the tokens are only there as sha256.
    const config = readFileSync(path.join(dir, "config.yaml"), "utf8");
    assert.ok(!config.includes(printed.viewer) && !config.includes(printed.admin));
  });

  it("archives the simulated devices into <dir>/repos/demo.git", async function () {
    const gitDir = path.join(dir, "repos/demo.git");
    await until("a snapshot of each device", 60_000, () => (["fra/router-01.rsc", "ams/router-02.rsc", "fra/router-03.rsc", "ams/router-04.rsc"].every((f) => commitsOf(gitDir, f) >= 1) ? true : undefined));
  });

  it("the printed history curl line returns the device's commits as JSON", async function () {
    const body = await until("history with a change", 60_000, async () => {
      const b = JSON.parse(await curl(printed.history, work)) as { entries: Array<{ commit: string; summary: string; trigger: string }> };
      return b.entries.length >= 2 ? b : undefined;
    });
    for (const e of body.entries) {
      assert.match(e.commit, /^[0-9a-f]{40}$/);
      assert.equal(typeof e.summary, "string");
    }
    // Newest first; the oldest is the first snapshot.
    assert.match(body.entries.at(-1)!.summary, /initial snapshot/);
    assert.match(body.entries[0]!.summary, /\/ip firewall filter/);
  });

  it("the printed diff curl line returns a unified diff once the device changed twice", async function () {
    const gitDir = path.join(dir, "repos/demo.git");
    await until("router-01 changed twice", 60_000, () => (commitsOf(gitDir, "fra/router-01.rsc") >= 3 ? true : undefined));
    const diff = await curl(printed.diff, work);
    assert.match(diff, /^diff --git a\/fra\/router-01\.rsc b\/fra\/router-01\.rsc$/m);
    assert.match(diff, /^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/m);
    assert.match(diff, /^\+add action=accept chain=input comment="demo change \d+"/m);
  });

  it("the printed git clone line clones the archive, and the printed decrypt line restores the export", function () {
    sh(printed.clone, work);
    const clone = path.join(work, "demo-archive");
    for (const f of ["fra/router-01.rsc", "ams/router-02.rsc", "fra/router-03.rsc", "ams/router-04.rsc"]) assert.ok(existsSync(path.join(clone, f)), f);
    const sealed = readFileSync(path.join(clone, "fra/router-01.rsc"), "utf8");
    assert.match(sealed, /=age:[A-Za-z0-9_-]+/, "router-01 plays an export with secrets, archived sealed");

    const line = printed.decrypt.replace(/^(?:npx )?rosarchive /, `'${process.execPath}' '${BIN}' `);
    const plain = sh(line, work);
    assert.doesNotMatch(plain, /age:/);
    assert.match(plain, /^\/ip firewall filter$/m);
    assert.match(plain, /^\/system identity$/m);
    // Same lines as the archived file apart from the sealed values.
    assert.equal(plain.split("\n").length, sealed.split("\n").length);
  });

  it("exits 0 on SIGINT and closes the API and simulated devices' ports", async function () {
    const config = readFileSync(path.join(dir, "config.yaml"), "utf8");
    const simPorts = [...config.matchAll(/host: 127\.0\.0\.1, port: (\d+)/g)].map((m) => Number(m[1]));
    assert.equal(simPorts.length, 4);
    assert.ok(await portOpen(simPorts[0]!), "simulated device listening before SIGINT");
    demo.child.kill("SIGINT");
    const limit = new Promise<"late">((r) => setTimeout(() => r("late"), 15_000).unref());
    const res = await Promise.race([demo.exited, limit]);
    assert.notEqual(res, "late", "demo still running 15 s after SIGINT");
    assert.deepEqual(res, { code: 0, signal: null }, demo.stderr);
    for (const p of [Number(new URL(printed.url).port), ...simPorts]) assert.equal(await portOpen(p), false, `port ${p} closed`);
  });
});

describe("rosarchive start (npm start)", function () {
  const demoCwd = tempDir();
  const serveCwd = tempDir();

  it("runs the demo when the working directory has no config.yaml", async function () {
    const cwd = demoCwd;
    const run = start(["start", "--port", "0", "--dir", path.join(cwd, "d"), "--devices", "2"], cwd);
    await until("the demo's printed block", 30_000, () => {
      if (run.child.exitCode !== null) throw new Error(`start exited ${run.child.exitCode}: ${run.stderr}`);
      return run.stdout.includes("Ctrl-C stops the demo") ? true : undefined;
    });
    assert.match(run.stdout, /rosarchive demo: 2 simulated RouterOS devices/);
    assert.ok(existsSync(path.join(cwd, "d/config.yaml")));
    run.child.kill("SIGTERM");
    assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr);
  });

  it("runs serve -c config.yaml when ./config.yaml exists", async function () {
    const cwd = serveCwd;
    const keys = execFileSync(process.execPath, [BIN, "keygen"], { encoding: "utf8" });
    const recipient = /# public key: (age1\S+)/.exec(keys)![1]!;
    writeFileSync(
      path.join(cwd, "config.yaml"),
      `listen: 127.0.0.1:0\nencryption:\n  recipients: [${recipient}]\ntenants:\n  acme:\n    devices: []\n`,
    );
    const run = start(["start"], cwd);
    const listening = await until("serve.listening", 30_000, () => {
      if (run.child.exitCode !== null) throw new Error(`start exited ${run.child.exitCode}: ${run.stderr}`);
      const line = run.stderr.split("\n").find((l) => l.includes('"serve.listening"'));
      return line ? (JSON.parse(line) as { url: string }) : undefined;
    });
    assert.ok(!run.stdout.includes("rosarchive demo"), "no demo when config.yaml exists");
    assert.ok(await portOpen(Number(new URL(listening.url).port)));
    run.child.kill("SIGTERM");
    assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr);
  });
});

describe("rosarchive demo --collectors 2 (nats-server, the core and two collector processes)", function () {
  this.timeout(180_000);
  const dir = path.join(tempDir(), "demo-remote");
  const work = tempDir();

  it("archives every device through the collectors, lists them, and stops them all on SIGINT", async function () {
    const demo = start(["demo", "--collectors", "2", "--devices", "3", "--port", "0", "--dir", dir, "--change-every", "2", "--interval", "2s"], work);
    await until("the printed block", 90_000, () => {
      if (demo.child.exitCode !== null) throw new Error(`demo exited ${demo.child.exitCode}: ${demo.stderr}`);
      return demo.stdout.includes("Ctrl-C stops the demo") ? true : undefined;
    });
    const printed = parsePrinted(demo.stdout);
    assert.match(demo.stdout, /Collectors\s+demo-collector-1, demo-collector-2 via NATS at nats:\/\/127\.0\.0\.1:\d+/);
    const gitDir = path.join(dir, "repos/demo.git");
    await until("a snapshot of each device", 90_000, () => (["fra/router-01.rsc", "ams/router-02.rsc", "fra/router-03.rsc"].every((f) => commitsOf(gitDir, f) >= 1) ? true : undefined));
    const tenantUrl = printed.url.replace(/\/devices$/, "");
    const listed = (await (await fetch(`${tenantUrl}/collectors`, { headers: { authorization: `Bearer ${printed.viewer}` } })).json()) as { remote: boolean; collectors: Array<{ id: string; live: boolean; jobs_done: number }> };
    assert.equal(listed.remote, true);
    assert.deepEqual(listed.collectors.filter((c) => c.live).map((c) => c.id).sort(), ["demo-collector-1", "demo-collector-2"]);
    const natsPort = Number(/via NATS at nats:\/\/127\.0\.0\.1:(\d+)/.exec(demo.stdout)![1]);
    demo.child.kill("SIGINT");
    const exit = await demo.exited;
    assert.equal(exit.code, 0, demo.stderr.slice(-2000));
    assert.equal(await portOpen(natsPort), false, "the demo's nats-server stopped with it");
  });
});
