import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { fsckStrict, git } from "../helpers/git.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";

const run = promisify(execFile);
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
const DEVICES = 8;
const STORM_MS = 15_000;

/**
 * Concurrency: for a while, manual triggers (several at once for the
 * same device), the scheduler's own runs, changing exports and `git clone`s
 * over HTTP and from disk all hit one tenant. Then: no error answer, no lost
 * or duplicated commit, no ref that went backwards, every clone sound.
 */
describe("concurrency: triggers, scheduled runs and clones of one tenant at once", function () {
  this.timeout(420_000);
  let sim: Simulator;
  let svc: RunningService;
  let dir: string;
  let gitDir: string;
  const token = randomBytes(24).toString("base64url");
  const statuses = new Map<number, number>();
  const reported = new Set<string>();
  const clonedTips: string[] = [];
  let clones = 0;
  let scheduledExports = 0;

  before(async () => {
    sim = await startDevices(DEVICES);
    dir = tempDir();
    const keys = keygen(dir);
    const file = writeConfig(dir, {
      recipient: keys.recipient,
      devices: Array.from({ length: DEVICES }, (_, i) => ({ id: `dev-${i}`, port: sim.devices.get(`dev-${i}`)!.port })),
      extra: "schedule: { interval: 2s, concurrency: 4, connect_timeout: 5s, command_timeout: 20s, backoff: [1s] }",
      tenantExtra: `    tokens:\n      - { name: op, role: operator, sha256: "${createHash("sha256").update(token).digest("hex")}" }\n`,
    });
    const text = readFileSync(file, "utf8").replace("password: not-a-real-secret", `password: "${TEST_PASSWORD}"`);
    svc = await startService(loadConfig(text, { baseDir: dir }), {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 100 } });
    gitDir = path.join(dir, "repos/acme.git");

    const base = readFixture(V7_FIXTURE);
    // The storm lasts STORM_MS; on a busy machine it goes on until there is enough to judge (at most five minutes).
    const started = Date.now();
    const answered = () => [...statuses.values()].reduce((a, b) => a + b, 0);
    const enough = () => answered() >= 20 && (statuses.get(201) ?? 0) > 0 && (statuses.get(409) ?? 0) + (statuses.get(429) ?? 0) > 0 && clonedTips.length >= 4;
    const storming = () => Date.now() - started < STORM_MS || (!enough() && Date.now() - started < 300_000);
    let n = 0;
    const changer = (async () => {
      while (storming()) {
        // Some devices change, others do not: unchanged snapshots must not commit.
        const i = n % (DEVICES / 2);
        sim.setExport(`dev-${i}`, `${base}\n/system note\nset note="change ${++n}"\n`);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const trigger = async () => {
      while (storming()) {
        const device = `dev-${Math.floor(Math.random() * DEVICES)}`;
        // The same device from two clients at once.
        const answers = await Promise.all(
          [0, 1].map(() => fetch(`${svc.url}/api/v1/tenants/acme/devices/${device}/backup`, { method: "POST", headers: { authorization: `Bearer ${token}` } })),
        );
        for (const res of answers) {
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const body = (await res.json()) as { commit?: string };
          if ((res.status === 200 || res.status === 201) && body.commit) reported.add(body.commit);
        }
      }
    };
    const cloner = async (i: number) => {
      while (storming()) {
        // Before the first commit there is nothing to clone yet; afterwards any failure is a finding.
        if (!existsSync(path.join(gitDir, "refs/heads/main")) && !existsSync(path.join(gitDir, "packed-refs"))) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const target = path.join(dir, `clone-${i}-${clones++}`);
        const source = clones % 2 ? `http://x:${token}@${new URL(svc.url).host}/git/acme.git` : gitDir;
        await run("git", ["clone", "--quiet", "--bare", ...(source === gitDir ? ["--no-local"] : []), source, target], { env: GIT_ENV });
        await run("git", ["--git-dir", target, "fsck", "--strict", "--no-progress"], { env: GIT_ENV });
        clonedTips.push((await run("git", ["--git-dir", target, "rev-parse", "main"], { env: GIT_ENV })).stdout.trim());
      }
    };
    await Promise.all([changer, trigger(), trigger(), trigger(), cloner(0), cloner(1)]);
    await svc.scheduler.stop();
    for (let i = 0; i < DEVICES; i++) scheduledExports += sim.devices.get(`dev-${i}`)!.stats.commands.filter((c) => c.includes("/export")).length;
  });
  after(async () => {
    await svc?.close();
    await sim?.stop();
  });

  it("every answer is a success, busy (409) or rate limited (429): never an error", () => {
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    assert.ok(total >= 20, `triggers answered: ${total}`);
    for (const status of statuses.keys()) assert.ok([200, 201, 409, 429].includes(status), `answer ${status} (${JSON.stringify([...statuses])})`);
    assert.ok((statuses.get(201) ?? 0) > 0, "some manual triggers committed");
    assert.ok((statuses.get(409) ?? 0) + (statuses.get(429) ?? 0) > 0, "concurrent triggers of one device were refused, not queued twice");
  });

  it("manual and scheduled backups together never open more SSH sessions than schedule.concurrency", () => {
    assert.ok(sim.peakConcurrentExecs() <= 4, `peak concurrent exec channels: ${sim.peakConcurrentExecs()}`);
  });

  it("the scheduler kept running alongside (more exports than manual triggers)", () => {
    const manual = (statuses.get(200) ?? 0) + (statuses.get(201) ?? 0);
    assert.ok(scheduledExports > manual, `${scheduledExports} exports for ${manual} manual backups`);
  });

  it("the repository is fsck-clean and every reported commit is in main's history", () => {
    fsckStrict(gitDir);
    const history = new Set(git(gitDir, ["rev-list", "main"]).trim().split("\n"));
    for (const c of reported) assert.ok(history.has(c), `reported commit ${c} is in history`);
  });

  it("no commit without a change: every commit but the first changes exactly one device file", () => {
    const log = git(gitDir, ["log", "--format=@%H", "--name-only", "main"]).split("@").filter(Boolean);
    assert.ok(log.length > DEVICES, `commits: ${log.length}`);
    const root = log.pop()!; // the README commit
    assert.match(root, /README\.md/);
    for (const entry of log) {
      const [commit, ...files] = entry.trim().split("\n").filter(Boolean);
      assert.equal(files.length, 1, `${commit} changes ${files.length} files`);
      assert.match(files[0]!, /^dev-\d+\.rsc$/);
    }
  });

  it("every clone (HTTP and disk) was sound, and main only moved forward", async () => {
    assert.ok(clonedTips.length >= 4, `clones: ${clonedTips.length}`);
    for (const tip of clonedTips) {
      await run("git", ["--git-dir", gitDir, "merge-base", "--is-ancestor", tip, "main"], { env: GIT_ENV });
    }
  });
});
