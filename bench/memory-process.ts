/**
 * Target 6's archiving service, alone in its own process so its peak RSS is
 * the service's, not the benchmark's: `node dist/bench/memory-process.js N`.
 * A tenant of N devices (100 per group, as sites group them) gets one round
 * of first snapshots (seal every secret, commit) and one round of unchanged
 * ones, 40 in flight as the scheduler runs them; prints one JSON line.
 */
import { RUN_TIMING } from "../src/scheduler/index.js";
import { applyHeapPolicy } from "../src/cli/heap-policy.js";
import { loadConfig } from "../src/config/index.js";
import { silentLogger } from "../src/observe/index.js";
import { NO_EVENTS } from "../src/notify/index.js";
import { createPipelineContext } from "../src/pipeline/index.js";
import { ROUTEROS } from "../src/routeros/index.js";
import { IN_FLIGHT_PER_SESSION } from "../src/scheduler/index.js";
import { exportFor, inParallel, RECIPIENT, tmp } from "./lib.js";

applyHeapPolicy(); // as the service does at start (src/cli/main.ts)
const n = Number(process.argv[2] ?? 10_000);
const dir = tmp("memory");
const lines = [`data_dir: ${dir}/repos`, `state_dir: ${dir}/state`, `encryption: { recipients: [${RECIPIENT}] }`, "tenants:", "  acme:", "    devices:"];
for (let i = 0; i < n; i++) lines.push(`      - { id: d${i}, host: 10.0.${(i >> 8) & 255}.${i & 255}, group: site-${Math.floor(i / 100)}, password: x }`);
const config = loadConfig(lines.join("\n"), { baseDir: dir });
const ctx = createPipelineContext({ config: () => config, platform: ROUTEROS, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, fsync: true });
const devices = config.tenants.get("acme")!.devices;
const width = config.schedule.concurrency * IN_FLIGHT_PER_SESSION;
const at = Date.parse("2026-11-22T10:00:00Z");
const t0 = performance.now();
let commits = 0;
await inParallel(n, width, async (i) => {
  const r = await ctx.archive.submit({ device: devices[i]!, text: exportFor(i), trigger: "scheduled", collectedAtMs: at });
  if (r.changed) commits++;
});
const firstS = (performance.now() - t0) / 1000;
const t1 = performance.now();
await inParallel(n, width, async (i) => {
  const r = await ctx.archive.submit({ device: devices[i]!, text: exportFor(i), trigger: "scheduled", collectedAtMs: at + 3_600_000 });
  if (r.changed) throw new Error("an unchanged snapshot was committed");
});
const unchangedS = (performance.now() - t1) / 1000;
await ctx.repos.closeAll();
process.stdout.write(`${JSON.stringify({ devices: n, commits, firstS, unchangedS, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
process.exit(0);
