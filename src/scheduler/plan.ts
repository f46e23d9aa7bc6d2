import type { DeviceConfig } from "../config/index.js";
import { nextSlot } from "./next-run.js";
import type { DeviceState } from "../store/index.js";

/**
 * When a device should run next, pure. A recorded `next_run` (written after
 * every attempt, so it survives restarts) wins; a device never run, or whose
 * record is lost, takes its stable slot. A missed run (next_run in the past,
 * e.g. the process was down) runs now — once, not once per missed slot.
 */
export function planNextRun(device: DeviceConfig, state: DeviceState, now: number): number | null {
  if (!device.enabled) return null;
  if (state.status === "blocked" && state.last_error?.code === "host_key_mismatch") return null;
  if (state.next_run) {
    const t = Date.parse(state.next_run);
    if (!Number.isNaN(t)) return Math.max(t, now);
  }
  return nextSlot(device.tenant, device.id, device.intervalMs, now);
}
