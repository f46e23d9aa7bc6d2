import v8 from "node:v8";

/**
 * V8 grows its heap by a large factor over the live set by default. Sealing
 * first snapshots (age in JavaScript) makes garbage fast, and with the default
 * factor a 10,000-device tenant's first round peaked at 380 MB RSS with a live
 * heap under 100 MB. A 10 % growth step keeps RSS near the live set: 3,000
 * devices peaked at 155 MB instead of 272 MB, for about 6 % more time
 * (bench/memory-process.ts). Set once, before the service allocates.
 */
export function applyHeapPolicy(): void {
  v8.setFlagsFromString("--heap-growing-percent=10");
}
