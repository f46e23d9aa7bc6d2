import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { promisify } from "node:util";
import { readConfigFile } from "../src/cli/load.js";
import { startService } from "../src/cli/start-service.js";
import { silentLogger } from "../src/observe/index.js";
import { buildDepthRepo, depthExport, depthTime } from "./depth-repo.js";
import { percentile, RECIPIENT, ROOT, type Row, tmp } from "./lib.js";

const TOKEN = "bench-rww-token";

interface Probe {
  history: number[];
  diff: number[];
  timeline: number[];
  healthz: number[];
  errors: number;
}

async function probe(url: string, devices: number, seconds: number): Promise<Probe> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, "dist/bench/read-probe.js"), url, TOKEN, "bench", String(devices), String(seconds)], { maxBuffer: 1 << 26 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as Probe;
}

/**
 * Target 2: reads while the same tenant is written. A repository of
 * `devices x commits` built from outside, served in this process (the
 * service's own pipeline writes, as its scheduler would: normalize, seal,
 * state, commit, outbox), `rate` changed snapshots a second; a reader in
 * another process (bench/read-probe.ts) times history pages, diffs,
 * timeline pages and /healthz, first with nothing written (the baseline),
 * then while writing.
 */
export async function benchReadsWhileWriting(devices: number, commits: number, rate: number, seconds: number, reuseDir: string | null, log: (s: string) => void = console.log): Promise<Row[]> {
  const dir = tmp("rww");
  const repo = await buildDepthRepo(reuseDir ?? path.join(dir, "repo"), devices, commits, log);
  rmSync(path.join(repo.gitDir, "rosarchive"), { recursive: true, force: true });
  const sha = createHash("sha256").update(TOKEN).digest("hex");
  const lines = ["listen: 127.0.0.1:0", `data_dir: ${path.dirname(repo.gitDir)}`, `state_dir: ${dir}/state`, `encryption: { recipients: [${RECIPIENT}] }`, "defaults: { password: x }", "tenants:", "  bench:", "    defaults: { enabled: false }", "    tokens:", `      - { name: probe, role: viewer, sha256: "${sha}" }`, "    devices:"];
  for (let d = 0; d < devices; d++) lines.push(`      - { id: dev-${d}, host: 10.0.${(d >> 8) & 255}.${d & 255} }`);
  writeFileSync(path.join(dir, "config.yaml"), `${lines.join("\n")}\n`);
  const service = await startService(readConfigFile(path.join(dir, "config.yaml")), {}, { log: silentLogger() });
  try {
    const r = await service.ctx.repos.get("bench");
    await r.paths.whenComplete();
    const idle = await probe(service.url, devices, seconds);

    // The writer: `rate` snapshots a second, each device one at a time, round robin.
    const list = service.ctx.config().tenants.get("bench")!.devices;
    const busy = new Set<number>();
    let next = 0;
    let written = 0;
    let failed = 0;
    let stop = false;
    const t0 = performance.now();
    const writer = (async () => {
      while (!stop) {
        const due = Math.floor(((performance.now() - t0) / 1000) * rate) - written - busy.size;
        for (let k = 0; k < due && busy.size < 60; k++) {
          const d = next++ % devices;
          if (busy.has(d)) continue;
          busy.add(d);
          const rev = commits + Math.floor(next / devices) + 1;
          void service.ctx.archive
            .submit({ device: list[d]!, text: depthExport(d, rev), trigger: "scheduled", collectedAtMs: depthTime(devices, d, rev) * 1000 })
            .then(
              (res) => (res.changed ? written++ : failed++),
              () => failed++,
            )
            .finally(() => busy.delete(d));
        }
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    // Where the service's event loop stalls while writing: its delay histogram and the GC pauses, printed beside the rows.
    const loop = monitorEventLoopDelay({ resolution: 1 });
    const gc: number[] = [];
    const gcMajor: number[] = [];
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gc.push(e.duration);
        // NODE_PERFORMANCE_GC_MAJOR (mark-compact) is kind 4.
        if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 4) gcMajor.push(e.duration);
      }
    });
    gcObserver.observe({ entryTypes: ["gc"] });
    loop.enable();
    const loaded = await probe(service.url, devices, seconds);
    loop.disable();
    gcObserver.disconnect();
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    log(`  event loop while writing: delay p50 ${ms(loop.percentile(50))} ms, p99 ${ms(loop.percentile(99))} ms, max ${ms(loop.max)} ms; GC pauses ${gc.length}, p99 ${percentile(gc.length ? gc : [0], 99).toFixed(1)} ms, max ${Math.max(0, ...gc).toFixed(1)} ms, total ${gc.reduce((x, y) => x + y, 0).toFixed(0)} ms (${gcMajor.length} mark-compact, max ${Math.max(0, ...gcMajor).toFixed(1)} ms)`);
    stop = true;
    await writer;
    while (busy.size > 0) await new Promise((res) => setTimeout(res, 10));
    const achieved = written / ((performance.now() - t0) / 1000);
    log(`  reads while writing: ${written} commits at ${achieved.toFixed(0)}/s (${failed} failed); reads idle ${idle.history.length + idle.diff.length + idle.timeline.length}, loaded ${loaded.history.length + loaded.diff.length + loaded.timeline.length} (${idle.errors + loaded.errors} errors)`);
    const p = (v: number[], q: number) => percentile(v, q);
    const row = (what: string, key: keyof Omit<Probe, "errors">, q: number, goal: number): Row => ({
      target: `2. ${what} p${q} while writing ${rate} commits/s (${devices}x${commits})`,
      value: `${p(loaded[key], q).toFixed(1)} ms`,
      baseline: `idle ${p(idle[key], q).toFixed(1)} ms`,
      ratio: (p(loaded[key], q) / p(idle[key], q)).toFixed(2),
      goal: `< ${goal} ms, >= ${rate * 0.9}/s written (${achieved.toFixed(0)}/s)`,
      pass: p(loaded[key], q) < goal && achieved >= rate * 0.9 && loaded.errors === 0 && failed === 0,
    });
    return [row("history page", "history", 95, 50), row("diff", "diff", 95, 50), row("timeline page", "timeline", 95, 50), row("/healthz", "healthz", 99, 20)];
  } finally {
    await service.close();
  }
}
