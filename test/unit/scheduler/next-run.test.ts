import assert from "node:assert/strict";
import type { DeviceConfig } from "../../../src/config/index.js";
import { planNextRun, nextSlot, retryAt, stableOffsetMs, RUN_TIMING } from "../../../src/scheduler/index.js";
import { INITIAL_STATE, type DeviceState } from "../../../src/store/index.js";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
const device = (over: Partial<DeviceConfig> = {}): DeviceConfig => ({
  tenant: "acme",
  id: "core-1",
  source: "config",
  site: "default",
  host: "10.0.0.1",
  port: 22,
  username: "backup",
  group: null,
  intervalMs: 6 * HOUR,
  enabled: true,
  credentials: {},
  path: "core-1.rsc",
  ...over,
});
const state = (over: Partial<DeviceState> = {}): DeviceState => ({ ...INITIAL_STATE, ...over });

describe("scheduler: run times (pure)", () => {
  it("a device's offset is stable, inside its interval, and a fleet's offsets spread over it", () => {
    assert.equal(stableOffsetMs("acme", "core-1", HOUR), stableOffsetMs("acme", "core-1", HOUR));
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 2000; i++) {
      const o = stableOffsetMs("acme", `dev-${i}`, HOUR);
      assert.ok(o >= 0 && o < HOUR);
      buckets[Math.floor((o / HOUR) * 10)]!++;
    }
    // 200 expected per tenth of the interval; a hash that clustered would leave some nearly empty.
    for (const n of buckets) assert.ok(n > 120 && n < 280, `tenth holds ${n} of 2000`);
  });

  it("the next slot is strictly after now, on the device's grid, one interval after the previous one", () => {
    const offset = stableOffsetMs("acme", "core-1", HOUR);
    for (const now of [T0, T0 + 1, T0 + HOUR / 2, T0 + 5 * HOUR + 17]) {
      const slot = nextSlot("acme", "core-1", HOUR, now);
      assert.ok(slot > now && slot <= now + HOUR);
      assert.equal(((slot - offset) % HOUR + HOUR) % HOUR, 0);
      assert.equal(nextSlot("acme", "core-1", HOUR, slot), slot + HOUR);
    }
  });

  it("after failures it retries on the backoff steps (the last one repeating), never later than the next slot", () => {
    const steps = [5 * 60_000, 15 * 60_000, HOUR];
    const far = T0 + 10 * HOUR;
    assert.equal(retryAt(1, steps, T0, far), T0 + 5 * 60_000);
    assert.equal(retryAt(2, steps, T0, far), T0 + 15 * 60_000);
    assert.equal(retryAt(3, steps, T0, far), T0 + HOUR);
    assert.equal(retryAt(9, steps, T0, far), T0 + HOUR);
    assert.equal(retryAt(3, steps, T0, T0 + 10 * 60_000), T0 + 10 * 60_000, "the slot comes first");
    assert.equal(RUN_TIMING.afterFailure(device({ intervalMs: 6 * HOUR }), 1, T0, steps) - T0 <= 5 * 60_000, true);
  });

  it("plans: disabled and host-key-blocked devices never; a recorded next run (a missed one runs now, once); else the stable slot", () => {
    assert.equal(planNextRun(device({ enabled: false }), state(), T0), null);
    assert.equal(planNextRun(device(), state({ status: "blocked", last_error: { code: "host_key_mismatch", message: "x" } }), T0), null);
    assert.equal(planNextRun(device(), state({ next_run: new Date(T0 + 60_000).toISOString() }), T0), T0 + 60_000);
    assert.equal(planNextRun(device(), state({ next_run: new Date(T0 - 3 * HOUR).toISOString() }), T0), T0);
    assert.equal(planNextRun(device(), state({ status: "ok", last_attempt: new Date(T0 - HOUR).toISOString(), next_run: "garbage" }), T0), nextSlot("acme", "core-1", 6 * HOUR, T0));
  });

  it("a device never tried runs within the first-run window (spread by id), not at a slot up to an interval away", () => {
    const firsts = Array.from({ length: 200 }, (_, i) => planNextRun(device({ id: `new-${i}` }), state(), T0, 120_000)! - T0);
    for (const t of firsts) assert.ok(t > 0 && t <= 120_000, `first run in ${t} ms`);
    assert.ok(new Set(firsts.map((t) => Math.floor(t / 12_000))).size >= 8, "spread over the window, not all at once");
    // An interval shorter than the window keeps its own grid.
    assert.equal(planNextRun(device({ intervalMs: 60_000 }), state(), T0, 120_000), nextSlot("acme", "core-1", 60_000, T0));
  });
});
