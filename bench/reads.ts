import { RUN_TIMING } from "../src/scheduler/index.js";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { createHash } from "node:crypto";
import path from "node:path";
import { deviceHistory, tenantHistory, TenantRepo, unifiedDiff } from "../src/archive/index.js";
import { loadConfig } from "../src/config/index.js";
import { silentLogger } from "../src/observe/index.js";
import { NO_EVENTS } from "../src/notify/index.js";
import { createPipelineContext } from "../src/pipeline/index.js";
import { ROUTEROS } from "../src/routeros/index.js";
import { startService } from "../src/cli/start-service.js";
import { gitEnv } from "../src/archive/index.js";
import { percentile, RECIPIENT, type Row, tmp } from "./lib.js";

function exportText(device: number, version: number): string {
  const lines = ["# RouterOS 7.16.2", "/interface bridge", `add name=bridge-${device}`, "/ip address"];
  for (let i = 0; i < 40; i++) lines.push(`add address=10.${device % 250}.${i}.1/24 interface=ether${i % 8}`);
  lines.push("/ip firewall filter");
  for (let i = 0; i < 60; i++) lines.push(`add action=accept chain=input comment=rule-${i} dst-port=${1000 + i} protocol=tcp`);
  lines.push("/system identity", `set name=dev-${device}`, "/system note", `set note="revision ${version}"`);
  return `${lines.join("\n")}\n`;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

const execFileAsync = promisify(execFile);

function timedSync(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/**
 * Targets 4 and 5: reads on a tenant of 100 devices x 1,000 commits
 * (100,000 commits) through the API's own readers, against `git log -- <file>`
 * and `git diff`; then `git clone` over rosarchive's HTTP against
 * `git clone --no-local` from disk.
 */
export async function benchReads(devices: number, commitsPerDevice: number): Promise<Row[]> {
  const dir = tmp("reads");
  // Written through the real archive path (normalize, seal, commit, record history stats), as the service writes.
  const deviceLines = Array.from({ length: devices }, (_, d) => `      - { id: dev-${d}, host: 10.0.0.${d % 250}, password: x }`);
  const writeConfig = loadConfig(
    [`data_dir: ${dir}/repos`, `state_dir: ${dir}/state`, `encryption: { recipients: [${RECIPIENT}] }`, "tenants:", "  bench:", "    devices:", ...deviceLines].join("\n"),
    { baseDir: dir },
  );
  const writer = createPipelineContext({ config: () => writeConfig, platform: ROUTEROS, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, fsync: false });
  const benchDevices = writeConfig.tenants.get("bench")!.devices;
  const start = Date.parse("2025-01-01T00:00:00Z");
  const t0 = performance.now();
  for (let c = 0; c < commitsPerDevice; c++) {
    // A whole round at once: the writer packs it as one batch, as a busy fleet would produce it.
    await Promise.all(
      benchDevices.map((device, d) => writer.archive.submit({ device, text: exportText(d, c), trigger: "scheduled", collectedAtMs: start + (c * devices + d) * 60_000 })),
    );
  }
  const written = await writer.repos.get("bench");
  await written.stats.flushed();
  await written.maintain();
  await writer.repos.closeAll();
  // Measured as after a restart: a new repository object, nothing in memory but what it loads.
  const repo = await TenantRepo.open(path.join(dir, "repos"), "bench", { fsync: false, sectionOf: ROUTEROS.sectionOf, clock: Date.now });
  const buildS = (performance.now() - t0) / 1000;
  const [indexMs] = await timed(() => repo.paths.whenComplete());
  const [statsMs] = await timed(() => repo.stats.load());
  console.log(`  history index built from git in ${indexMs.toFixed(0)} ms, stats cache read in ${statsMs.toFixed(0)} ms (once per process, at serve start)`);
  console.log(`  built ${devices * commitsPerDevice} commits in ${buildS.toFixed(0)} s (${((devices * commitsPerDevice) / buildS).toFixed(0)} commits/s), then maintenance`);
  const gitDir = repo.gitDir;
  const git = (args: string[]) => execFileSync("git", ["--git-dir", gitDir, ...args], { env: gitEnv(), maxBuffer: 1 << 28 });
  const q = { limit: 50, sectionOf: ROUTEROS.sectionOf };
  const sample = Array.from({ length: 20 }, (_, i) => `dev-${(i * 37) % devices}.rsc`);

  const ours: number[] = [];
  const base: number[] = [];
  const diffs: number[] = [];
  const diffBase: number[] = [];
  for (const file of sample) {
    const [ms, page] = await timed(() => deviceHistory(repo, file, q));
    ours.push(ms);
    base.push(timedSync(() => git(["log", "-50", "--format=%H%x00%P%x00%B", "main", "--", file])));
    const top = page[0]!;
    diffs.push((await timed(() => unifiedDiff(repo, top.parent!, top.commit, file)))[0]);
    diffBase.push(timedSync(() => git(["diff", top.parent!, top.commit, "--", file])));
  }
  const [tl] = await timed(() => tenantHistory(repo, q));
  const tlBase = timedSync(() => git(["log", "-50", "--format=%H%x00%P%x00%B", "main"]));
  repo.close();

  // Clone over HTTP through the real service (git http-backend as CGI) vs from disk.
  const token = "bench-token";
  const config = loadConfig(
    `listen: 127.0.0.1:0\ndata_dir: ${dir}/repos\nstate_dir: ${dir}/state\nencryption: { recipients: [${RECIPIENT}] }\ntenants:\n  bench:\n    tokens: [{ name: b, role: viewer, sha256: "${createHash("sha256").update(token).digest("hex")}" }]\n`,
    { baseDir: dir },
  );
  const service = await startService(config, {}, { log: silentLogger() });
  // Asynchronous: the server answering the clone runs in this very process.
  const clone = async (args: string[]) => (await timed(() => execFileAsync("git", ["clone", "-q", ...args], { env: gitEnv() })))[0];
  const diskMs: number[] = [];
  const httpMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    diskMs.push(await clone(["--no-local", gitDir, path.join(dir, `disk-${i}`)]));
    httpMs.push(await clone([`${service.url.replace("http://", `http://x:${token}@`)}/git/bench.git`, path.join(dir, `http-${i}`)]));
  }
  await service.close();

  const p95 = (v: number[]) => percentile(v, 95);
  const med = (v: number[]) => percentile(v, 50);
  const row = (target: string, value: number, baseline: number, goal: string, pass: boolean): Row => ({
    target,
    value: `${value.toFixed(1)} ms`,
    baseline: `${baseline.toFixed(1)} ms`,
    ratio: (value / baseline).toFixed(2),
    goal,
    pass,
  });
  return [
    row(`4. device history page p95 (${devices}x${commitsPerDevice})`, p95(ours), p95(base), "< 20 ms", p95(ours) < 20),
    row("4. device diff p95", p95(diffs), p95(diffBase), "< 20 ms", p95(diffs) < 20),
    row("4. tenant timeline page", tl, tlBase, "< 50 ms", tl < 50),
    row("5. git clone over HTTP (median of 3)", med(httpMs), med(diskMs), "<= 1.5x --no-local", med(httpMs) <= 1.5 * med(diskMs)),
  ];
}
