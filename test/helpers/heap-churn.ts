/**
 * `node dist/test/helpers/heap-churn.js policy|flat`: a small busy heap
 * (about 30 MB kept, garbage that lives a little while), under the service's
 * heap policy or a flat 10 % growth step; prints how many full collections
 * it took, as JSON.
 */
import v8 from "node:v8";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { applyHeapPolicy } from "../../src/cli/heap-policy.js";

if (process.argv[2] === "policy") applyHeapPolicy();
else v8.setFlagsFromString("--heap-growing-percent=10");
let majors = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
}).observe({ entryTypes: ["gc"] });

const kept: Array<{ i: number; s: string }> = [];
for (let i = 0; i < 300_000; i++) kept.push({ i, s: `kept-${i}` });
let recent: Array<{ r: number; i: number; s: string }> = [];
for (let r = 0; r < 1200; r++) {
  for (let i = 0; i < 5000; i++) recent.push({ r, i, s: `recent-${i}` });
  if (recent.length > 150_000) recent = [];
  await new Promise((resolve) => setImmediate(resolve));
}
await new Promise((resolve) => setTimeout(resolve, 50));
process.stdout.write(`${JSON.stringify({ majors, kept: kept.length })}\n`);
