import v8 from "node:v8";
import { constants, PerformanceObserver } from "node:perf_hooks";

/** The old generation grows by this share of what survived the last full collection, normally. */
const SETTLED_PERCENT = 10;
/** At most this while collections come fast. */
const BUSY_PERCENT_MAX = 30;
/** While busy, each step is at least this many bytes (within BUSY_PERCENT_MAX). */
const BUSY_STEP_BYTES = 12 * 2 ** 20;
/** Full collections closer together than this mean the heap is busy. */
const BUSY_GAP_MS = 1000;

/**
 * The percent the old generation grows by before the next full collection:
 * SETTLED_PERCENT, or, when the last two came within BUSY_GAP_MS of each
 * other, enough for a BUSY_STEP_BYTES step over `usedBytes` (at most
 * BUSY_PERCENT_MAX, never less than SETTLED_PERCENT).
 */
export function growthPercent(usedBytes: number, gapMs: number): number {
  if (gapMs >= BUSY_GAP_MS || usedBytes <= 0) return SETTLED_PERCENT;
  return Math.min(BUSY_PERCENT_MAX, Math.max(SETTLED_PERCENT, Math.ceil((100 * BUSY_STEP_BYTES) / usedBytes)));
}

/**
 * V8 grows its heap by a large factor over the live set by default. Sealing
 * first snapshots (age in JavaScript) makes garbage fast, and with the default
 * factor a 10,000-device tenant's first round peaked at 380 MB RSS with a live
 * heap under 100 MB. A 10 % growth step keeps RSS near the live set: 3,000
 * devices peaked at 155 MB instead of 272 MB, for about 6 % more time
 * (bench/memory-process.ts).
 *
 * But on a small heap 10 % is a step of a few MB: a service holding 40 MB
 * that pages through cold history then collects its whole heap every
 * 150 ms, and each collection's pause lands in some request (the depth
 * benchmark's diff p95 went from 6-9 ms to 10-14 ms). So while full
 * collections come less than a second apart, the step is at least 12 MB
 * (30 % of a 40 MB heap, 10 % of 120 MB: a large heap keeps its step); once
 * they are rare again, 10 %, and an idle service settles as before. Set once,
 * before the service allocates; the observer holds nothing alive.
 */
export function applyHeapPolicy(): void {
  let percent = SETTLED_PERCENT;
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
  let last = -Infinity;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      const at = e.startTime;
      const next = growthPercent(v8.getHeapStatistics().used_heap_size, at - last);
      last = at + e.duration;
      if (next === percent) continue;
      percent = next;
      v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
    }
  });
  observer.observe({ entryTypes: ["gc"] });
}
