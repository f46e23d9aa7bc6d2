import { RUN_TIMING } from "../src/scheduler/index.js";
import path from "node:path";
import { silentLogger } from "../src/observe/index.js";
import { createPipelineContext, archiveSnapshot } from "../src/pipeline/index.js";
import { ROUTEROS } from "../src/routeros/index.js";
import { NO_EVENTS } from "../src/notify/index.js";
import { benchConfig, exportFor, fastImport, git, inParallel, type Row, tmp } from "./lib.js";

/**
 * Targets 1 and 2: ingest through the real pipeline (normalize,
 * seal with stable ciphertext, compare or commit) against git fast-import
 * writing the same commits, in the same run.
 */
export async function benchIngest(sizes: number[], commitsPerSize: number, unchangedCount: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const devices of sizes) {
    const dir = tmp(`ingest-${devices}`);
    const config = benchConfig(dir, devices);
    const gitDir = path.join(dir, "repos/acme.git");
    // Populate the tenant: every device's first snapshot, in one fast-import commit (setup, not measured).
    const ctx = createPipelineContext({ config: () => config, platform: ROUTEROS, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, fsync: process.env.BENCH_FSYNC !== "0" });
    const repo = await ctx.repos.get("acme");
    const seed = [`commit refs/heads/main`, `committer bench <b@x> 1700000000 +0000`, `data 5`, `seed`, `from ${repo.tip}`];
    const tenant = config.tenants.get("acme")!;
    const warm = Math.min(devices, Math.max(commitsPerSize, 200));
    for (let i = warm; i < devices; i++) {
      const body = exportFor(i);
      seed.push(`M 100644 inline d${i}.rsc`, `data ${Buffer.byteLength(body)}`, body);
    }
    seed.push("", "done", "");
    await fastImport(gitDir, seed.join("\n"));
    ctx.repos.closeAll();
    const ctx2 = createPipelineContext({ config: () => config, platform: ROUTEROS, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, fsync: process.env.BENCH_FSYNC !== "0" });
    const at = Date.parse("2026-11-22T10:00:00Z");
    // Devices 0..warm-1 go through the pipeline once (secret index, first seal); not measured.
    for (let i = 0; i < warm; i++) await archiveSnapshot(ctx2, { device: tenant.devices[i]!, text: exportFor(i), trigger: "scheduled", collectedAtMs: at });

    // The warm-up wrote one pack per snapshot: consolidate them now, so its background
    // repacks do not run inside the timed phases (the timed commits still trigger their own).
    await (await ctx2.repos.get("acme")).maintain();

    // Target 1: unchanged snapshots (the dedup path).
    if (unchangedCount > 0) {
      const texts = Array.from({ length: warm }, (_, i) => exportFor(i));
      const t0 = performance.now();
      await inParallel(unchangedCount, 20, async (k) => {
        const i = k % warm;
        const r = await archiveSnapshot(ctx2, { device: tenant.devices[i]!, text: texts[i]!, trigger: "scheduled", collectedAtMs: at });
        if (r.changed) throw new Error("unchanged snapshot committed");
      });
      const perSec = unchangedCount / ((performance.now() - t0) / 1000);
      rows.push({ target: `1. unchanged snapshots/s, ${devices} devices`, value: perSec.toFixed(0), baseline: "-", ratio: "-", goal: ">= 2000/s", pass: perSec >= 2000 });
    }

    // Target 2: changed snapshots (one real commit each) arriving 20 at a time, as the
    // scheduler's default concurrency delivers them; then fast-import writes the same commits.
    const t1 = performance.now();
    await inParallel(commitsPerSize, 20, async (k) => {
      const i = k % warm;
      const r = await archiveSnapshot(ctx2, { device: tenant.devices[i]!, text: exportFor(i, k + 1), trigger: "scheduled", collectedAtMs: at + k * 1000 });
      if (!r.changed) throw new Error("changed snapshot not committed");
    });
    const ours = commitsPerSize / ((performance.now() - t1) / 1000);
    await ctx2.repos.closeAll();
    // Baseline: the same sealed files, the same commits, through fast-import.
    const files: string[] = [];
    const lines = git(gitDir, ["log", `-${commitsPerSize}`, "--reverse", "--format=%H", "--name-only", "main"]).split("\n").filter(Boolean);
    for (let j = 0; j < lines.length; j += 2) files.push(git(gitDir, ["show", `${lines[j]}:${lines[j + 1]}`]));
    const msg = "d0: +1 -1 in /ip firewall filter\n\nDevice: d0\n";
    const fi: string[] = [];
    for (let k = 0; k < commitsPerSize; k++) {
      fi.push(`commit refs/heads/baseline`, `committer bench <b@x> ${1700000000 + k} +0000`, `data ${Buffer.byteLength(msg)}`, msg);
      if (k === 0) fi.push(`from main~${commitsPerSize}`);
      fi.push(`M 100644 inline d${k % warm}.rsc`, `data ${Buffer.byteLength(files[k]!)}`, files[k]!);
    }
    fi.push("done", "");
    const fiMs = await fastImport(gitDir, fi.join("\n"));
    const theirs = commitsPerSize / (fiMs / 1000);
    const ratio = ours / theirs;
    rows.push({
      target: `2. commits/s, ${devices} devices`,
      value: ours.toFixed(0),
      baseline: `fast-import ${theirs.toFixed(0)}/s`,
      ratio: ratio.toFixed(2),
      goal: devices === 1000 ? ">= 300/s and >= 0.20" : ">= 0.20",
      pass: ratio >= 0.2 && (devices !== 1000 || ours >= 300),
    });
  }
  return rows;
}
