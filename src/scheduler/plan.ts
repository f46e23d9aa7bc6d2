import type { DeviceConfig } from "../config/index.js";
import { nextSlot } from "./next-run.js";
import type { DeviceState } from "../store/index.js";

/**
 * A device that has never been tried runs within this window (at a stable
 * offset, so a new fleet is spread over it rather than all at once), then
 * joins its regular slot: a new router is not left waiting up to a whole
 * interval for its first backup. `schedule.first_run_window` sets it.
 */
export const FIRST_RUN_WINDOW_MS = 120_000;

/**
 * When a device should run next, pure. A recorded `next_run` (written after
 * every attempt, so it survives restarts) wins; a device never tried runs
 * soon (FIRST_RUN_WINDOW_MS); any other takes its stable slot. A missed run
 * (next_run in the past, e.g. the process was down) runs now, once, not once
 * per missed slot. Null: no run until an admin acts (a changed host key).
 */
export function planNextRun(device: DeviceConfig, state: DeviceState, now: number, firstRunWindowMs = FIRST_RUN_WINDOW_MS): number | null {
  if (!device.enabled) return null;
  if (state.status === "blocked" && state.last_error?.code === "host_key_mismatch") return null;
  if (state.next_run) {
    const t = Date.parse(state.next_run);
    if (!Number.isNaN(t)) return Math.max(t, now);
  }
  if (state.last_attempt === null) return nextSlot(device.tenant, device.id, Math.min(device.intervalMs, firstRunWindowMs), now);
  return nextSlot(device.tenant, device.id, device.intervalMs, now);
}
