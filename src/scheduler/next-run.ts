import { createHash } from "node:crypto";

/**
 * Scheduling math, pure. A device's runs fall at a stable offset inside its
 * interval (hash of tenant/device), so a fleet is spread over the interval
 * instead of all starting at once, and the slot survives restarts.
 */
export function stableOffsetMs(tenant: string, device: string, intervalMs: number): number {
  const h = createHash("sha256").update(`${tenant}/${device}`).digest();
  return h.readUInt32BE(0) % Math.max(1, intervalMs);
}

/** The first slot strictly after `now` for a device on its interval grid. */
export function nextSlot(tenant: string, device: string, intervalMs: number, now: number): number {
  const offset = stableOffsetMs(tenant, device, intervalMs);
  const k = Math.floor((now - offset) / intervalMs) + 1;
  return offset + k * intervalMs;
}

/** After `failures` consecutive transient failures: the backoff step, but never later than the next slot. */
export function retryAt(failures: number, backoffMs: readonly number[], now: number, slot: number): number {
  const step = backoffMs[Math.min(Math.max(failures, 1), backoffMs.length) - 1] ?? 0;
  return Math.min(now + step, slot);
}

/** The timing the pipeline records in a device's state after each attempt (next_run). */
export const RUN_TIMING = {
  afterSuccess(device: { tenant: string; id: string; intervalMs: number }, now: number): number {
    return nextSlot(device.tenant, device.id, device.intervalMs, now);
  },
  afterFailure(device: { tenant: string; id: string; intervalMs: number }, failures: number, now: number, backoffMs: readonly number[]): number {
    return retryAt(failures, backoffMs, now, nextSlot(device.tenant, device.id, device.intervalMs, now));
  },
} as const;
