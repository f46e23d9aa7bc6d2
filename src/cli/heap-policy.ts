import v8 from "node:v8";
import { constants, PerformanceObserver } from "node:perf_hooks";

/** The old generation grows by this share of what survived the last full collection, normally. */
const SETTLED_PERCENT = 10;
/** While full collections come fast, a smaller heap may grow to this before the next one. */
const BUSY_ROOM_BYTES = 64 * 2 ** 20;
/** Full collections closer together than this mean the heap is busy. */
const BUSY_GAP_MS = 1000;

/**
 * The percent the old generation grows by before the next full collection:
 * SETTLED_PERCENT; or, when the last two came within BUSY_GAP_MS of each
 * other and `usedBytes` is under BUSY_ROOM_BYTES, enough to reach it.
 */
export function growthPercent(usedBytes: number, gapMs: number): number {
  if (gapMs >= BUSY_GAP_MS || usedBytes <= 0) return SETTLED_PERCENT;
  return Math.max(SETTLED_PERCENT, Math.ceil((100 * (BUSY_ROOM_BYTES - usedBytes)) / usedBytes));
}

/**
 * V8 grows its heap by a large factor over the live set by default. Sealing
 * first snapshots (age in JavaScript) makes garbage fast, and with the default
 * factor a 10,000-device tenant's first round peaked at 380 MB RSS with a live
 * heap under 100 MB. A 10 % growth step keeps RSS near the live set: 3,000
 * devices peaked at 155 MB instead of 272 MB, for about 6 % more time
 * (bench/memory-process.ts).
 *
 * But on a small heap 10 % is a step of a few MB, and V8 starts marking
 * early whenever the room left is less than its young generation (up to
 * 32 MB): a service holding 35 MB that pages through cold history collected
 * its whole heap every 150 ms (42 times in the depth benchmark's reads), and
 * each pause landed in some request. So while full collections come less
 * than a second apart, a heap under 64 MB may grow to 64 MB first (11 full
 * collections in the same reads); a larger one keeps 10 % steps, which keep
 * the 10,000-device first round's peak down (a 40 MB step raised it from
 * 258 to 317 MB, room up to 80 MB to 279 MB). Once collections are rare
 * again, 10 %, and an idle service settles as before. Applied before the
 * service allocates, then after each full collection; the observer holds
 * nothing alive.
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
