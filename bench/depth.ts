import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gitEnv } from "../src/archive/index.js";
import { buildDepthRepo, type DepthRepo } from "./depth-repo.js";
import { percentile, RECIPIENT, type Row, tmp } from "./lib.js";
import { ServeProcess } from "./serve-process.js";

const execFileAsync = promisify(execFile);
const TOKEN = "bench-depth-token";

interface Entry {
  commit: string;
  parent: string | null;
}

async function timedGet(url: string, accept = "application/json"): Promise<{ ms: number; status: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}`, accept } });
  const body = await res.text();
  return { ms: performance.now() - t0, status: res.status, body };
}

async function timedGit(gitDir: string, args: string[]): Promise<{ ms: number; out: string }> {
  const t0 = performance.now();
  const { stdout } = await execFileAsync("git", ["--git-dir", gitDir, ...args], { env: gitEnv(), maxBuffer: 1 << 28 });
  return { ms: performance.now() - t0, out: stdout };
}

function serveConfig(dir: string, repo: DepthRepo): string {
  const sha = createHash("sha256").update(TOKEN).digest("hex");
  const lines = [
    "listen: 127.0.0.1:0",
    `data_dir: ${path.dirname(repo.gitDir)}`,
    `state_dir: ${dir}/state`,
    `encryption: { recipients: [${RECIPIENT}] }`,
    "log_level: info",
    "defaults: { password: x }",
    "tenants:",
    "  bench:",
    "    defaults: { enabled: false }",
    "    tokens:",
    `      - { name: probe, role: viewer, sha256: "${sha}" }`,
    "    devices:",
  ];
  for (let d = 0; d < repo.devices; d++) lines.push(`      - { id: dev-${d}, host: 10.0.${(d >> 8) & 255}.${d & 255} }`);
  const file = path.join(dir, "config.yaml");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/**
 * Target 1 (depth): a repository of `devices x commits` built from outside
 * with git fast-import (bench/depth-repo.ts), served by a real `serve`
 * process: a cold start with no index (answers at once, fully indexed
 * later), a restart with the saved index, then history pages (first and 500
 * back), diffs and timeline pages through the API against git's own tools
 * on the same versions, and the process's peak RSS (VmHWM).
 */
export async function benchDepth(devices: number, commits: number, reuseDir: string | null, log: (s: string) => void = console.log): Promise<Row[]> {
  const dir = tmp("depth");
  const repo = await buildDepthRepo(reuseDir ?? path.join(dir, "repo"), devices, commits, log);
  log(`  depth repository ${devices} x ${commits}: ${repo.buildS > 0 ? `built by fast-import in ${repo.buildS.toFixed(0)} s` : "reused"}`);
  rmSync(path.join(repo.gitDir, "rosarchive"), { recursive: true, force: true }); // no cache of ours: everything from git
  const config = serveConfig(dir, repo);
  const base = (s: ServeProcess) => `${s.url}/api/v1/tenants/bench`;
  // 60 devices: each p95 is then the 3rd or 6th slowest of 60-120 requests, not nearly the slowest of 20.
  const sample = Array.from({ length: 60 }, (_, i) => `dev-${(i * 53 + 7) % devices}`);
  const depthBack = Math.min(500, commits - 60);

  // ---- cold start: no index; answers at once (from git), fully indexed later
  const cold = await ServeProcess.start(config);
  const coldListenS = (cold.events.find((e) => e.line.event === "serve.listening")!.at - cold.started) / 1000;
  const during: number[] = [];
  let duringWrong = 0;
  for (const id of sample.slice(0, 3)) {
    const r = await timedGet(`${base(cold)}/devices/${id}/history?limit=50`);
    during.push(r.ms);
    const truth = (await timedGit(repo.gitDir, ["log", "-n50", "--format=%H", "main", "--", `${id}.rsc`])).out.split("\n").filter(Boolean);
    const got = (JSON.parse(r.body) as { entries: Entry[] }).entries.map((e) => e.commit);
    if (got.join() !== truth.join()) duringWrong++;
  }
  const indexedWhileAnswering = cold.seen("history.index_built");
  const built = await cold.waitFor("history.index_built", 900_000);
  const builtS = (built.at - cold.started) / 1000;
  const coldPeak = cold.peakRssMb();
  const buildCpu = cold.cpuSeconds();
  log(`  cold start: listening after ${coldListenS.toFixed(1)} s; first pages during the build ${during.map((x) => x.toFixed(0)).join(", ")} ms (${duringWrong} wrong${indexedWhileAnswering ? ", index was already complete" : ""}); fully indexed after ${builtS.toFixed(1)} s (serve used ${buildCpu.toFixed(1)} s of CPU beside git); peak RSS ${coldPeak.toFixed(0)} MB`);
  await cold.stop();
  // The floor of any build from git: git's own walk with the same output, alone.
  const t1 = performance.now();
  await new Promise<void>((resolve, reject) =>
    spawn("git", ["--git-dir", repo.gitDir, "log", "--first-parent", "--no-renames", "--raw", "--no-abbrev", "--format=%x1e%H %P", "main"], { env: gitEnv(), stdio: ["ignore", "ignore", "inherit"] }).on("close", (c) => (c === 0 ? resolve() : reject(new Error(`git log: ${c}`)))),
  );
  const gitLogS = (performance.now() - t1) / 1000;
  log(`  git log --raw of main alone: ${gitLogS.toFixed(1)} s`);

  // ---- restart with the saved index
  const t0 = performance.now();
  const warm = await ServeProcess.start(config);
  const firstPage = await timedGet(`${base(warm)}/devices/${sample[0]}/history?limit=50`);
  const readyS = (performance.now() - t0) / 1000;
  const loaded = warm.seen("history.index_loaded") && !warm.seen("history.index_rebuild") && firstPage.status === 200;
  log(`  restart: first history page answered ${readyS.toFixed(2)} s after start (${loaded ? "saved index loaded" : "INDEX NOT LOADED"})`);

  // ---- reads at depth
  const hist: number[] = [];
  const histBase: number[] = [];
  const diffs: number[] = [];
  const diffsAgain: number[] = [];
  const diffBase: number[] = [];
  const tl: number[] = [];
  const tlBase: number[] = [];
  let wrong = 0;
  for (const id of sample) {
    const file = `${id}.rsc`;
    const first = await timedGet(`${base(warm)}/devices/${id}/history?limit=50`);
    hist.push(first.ms);
    const entries = (JSON.parse(first.body) as { entries: Entry[] }).entries;
    // The page 500 versions back: walk there with the cursor, then time that page.
    let cursor = entries[entries.length - 1]!.commit;
    for (let seen = 50; seen < depthBack; seen += 200) {
      const r = JSON.parse((await timedGet(`${base(warm)}/devices/${id}/history?limit=${Math.min(200, depthBack - seen)}&before=${cursor}`)).body) as { entries: Entry[] };
      cursor = r.entries[r.entries.length - 1]!.commit;
    }
    const back = await timedGet(`${base(warm)}/devices/${id}/history?limit=50&before=${cursor}`);
    hist.push(back.ms);
    if ((JSON.parse(back.body) as { entries: Entry[] }).entries.length !== 50) wrong++;
    // Diff of the latest version (the API's default) and git diff of the same two versions.
    const d = await timedGet(`${base(warm)}/devices/${id}/diff`, "text/x-diff");
    diffs.push(d.ms);
    for (let k = 0; k < 2; k++) diffsAgain.push((await timedGet(`${base(warm)}/devices/${id}/diff`, "text/x-diff")).ms);
    const g = await timedGit(repo.gitDir, ["diff", entries[1]!.commit, entries[0]!.commit, "--", file]);
    diffBase.push(g.ms);
    if (g.out !== d.body) wrong++;
    const t = await timedGet(`${base(warm)}/history?limit=50${tl.length % 2 ? `&before=${entries[10]!.commit}` : ""}`);
    tl.push(t.ms);
    tlBase.push((await timedGit(repo.gitDir, ["log", "-50", "--format=%H%x00%P%x00%B", tl.length % 2 ? `${entries[10]!.commit}^` : "main"])).ms);
  }
  // git's own path-limited walk, the history page's baseline (slow at depth: a few samples).
  for (const id of sample.slice(0, 3)) histBase.push((await timedGit(repo.gitDir, ["log", "-50", "--format=%H%x00%P%x00%B", "main", "--", `${id}.rsc`])).ms);
  const peak = Math.max(coldPeak, warm.peakRssMb());
  const slowest = (v: number[]) => [...v].sort((x, y) => y - x).slice(0, 4).map((x) => x.toFixed(0)).join(", ");
  log(`  slowest: history pages ${slowest(hist)} ms (median ${percentile(hist, 50).toFixed(1)}), diffs ${slowest(diffs)} ms (median ${percentile(diffs, 50).toFixed(1)}), timeline pages ${slowest(tl)} ms (median ${percentile(tl, 50).toFixed(1)})`);
  log(`  reads: ${wrong} wrong answers; diff p95 asked again ${percentile(diffsAgain, 95).toFixed(1)} ms (kept); peak RSS cold ${coldPeak.toFixed(0)} MB, after restart ${warm.peakRssMb().toFixed(0)} MB`);
  await warm.stop();

  const p95 = (v: number[]) => percentile(v, 95);
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const label = `${devices}x${commits}`;
  return [
    { target: `1. restart to the first history page (${label}, saved index)`, value: `${readyS.toFixed(2)} s`, baseline: `cold start listening ${coldListenS.toFixed(1)} s`, ratio: "-", goal: "< 5 s, index loaded", pass: readyS < 5 && loaded },
    { target: `1. cold start: fully indexed from git (${label})`, value: `${builtS.toFixed(1)} s`, baseline: `git log --raw alone ${gitLogS.toFixed(1)} s`, ratio: (builtS / gitLogS).toFixed(2), goal: `< 60 s, answers right meanwhile (${duringWrong} wrong, p95 ${ms(p95(during))})`, pass: builtS < 60 && duringWrong === 0 },
    { target: "1. history page p95 (first page and 500 back)", value: ms(p95(hist)), baseline: `git log -n50 -- file ${ms(p95(histBase))}`, ratio: (p95(hist) / p95(histBase)).toFixed(3), goal: `< 20 ms (${wrong} wrong)`, pass: p95(hist) < 20 && wrong === 0 },
    { target: "1. diff p95 (latest version, first asked, through the API)", value: ms(p95(diffs)), baseline: `git diff ${ms(p95(diffBase))}`, ratio: (p95(diffs) / p95(diffBase)).toFixed(2), goal: "<= 1.2x git diff", pass: p95(diffs) <= 1.2 * p95(diffBase) },
    { target: "1. timeline page p95", value: ms(p95(tl)), baseline: `git log -50 ${ms(p95(tlBase))}`, ratio: (p95(tl) / p95(tlBase)).toFixed(2), goal: "< 30 ms", pass: p95(tl) < 30 },
    { target: "1. serve peak RSS (VmHWM, cold start + restart)", value: `${peak.toFixed(0)} MB`, baseline: "-", ratio: "-", goal: "< 300 MB", pass: peak < 300 },
  ];
}
