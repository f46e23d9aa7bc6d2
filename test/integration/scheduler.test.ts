import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadConfig, type Config } from "../../src/config/index.js";
import { NO_EVENTS } from "../../src/notify/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { createPipelineContext } from "../../src/pipeline/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { nextSlot, RUN_TIMING } from "../../src/scheduler/index.js";
import { Scheduler } from "../../src/scheduler/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { commitCount } from "../helpers/git.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";

const N = 200;
const INTERVAL_MS = 8000;
/**
 * The scheduler runs on a fake clock moved this far at a time; after each
 * move the test waits until every backup it started has finished, however
 * long that takes on a busy machine. About 25 devices fall due per step, so
 * the concurrency limit is still reached.
 */
const STEP_MS = 1000;

function exportsServed(sim: Simulator, id: string): number {
  return sim.devices.get(id)!.stats.commands.filter((c) => c.includes("/export")).length;
}

/** Slots of a device in (from, to]. */
function slotsBetween(id: string, from: number, to: number): number {
  let n = 0;
  for (let t = nextSlot("acme", id, INTERVAL_MS, from); t <= to; t += INTERVAL_MS) n++;
  return n;
}

describe("scheduler: 200 simulated devices, concurrency 20", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let config: Config;
  let gitDir: string;

  before(async () => {
    sim = await startDevices(N);
    const dir = tempDir();
    const keys = keygen(dir);
    const file = writeConfig(dir, {
      recipient: keys.recipient,
      devices: Array.from({ length: N }, (_, i) => ({ id: `dev-${i}`, port: sim.devices.get(`dev-${i}`)!.port, extra: "password: x" })),
      extra: `schedule: { interval: ${INTERVAL_MS / 1000}s, concurrency: 20, connect_timeout: 5s, command_timeout: 20s }`,
    });
    config = loadConfig(readFileSync(file, "utf8").replace("password: not-a-real-secret", `password: "${TEST_PASSWORD}"`).replaceAll(", password: x", ""), { baseDir: dir });
    gitDir = path.join(dir, "repos/acme.git");
  });
  after(() => sim?.stop());

  it("backs each device up once per slot, and a restart mid-interval neither loses nor repeats a run", async () => {
    let now = Date.now();
    const run = async (ms: number) => {
      const ctx = createPipelineContext({ config: () => config, platform: ROUTEROS, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, clock: () => now });
      const s = new Scheduler(ctx, { tickMs: 2 ** 31 - 1 }); // no timer: the test moves the clock and ticks
      await s.start();
      await s.idle();
      for (const end = now + ms; now < end; ) {
        now = Math.min(end, now + STEP_MS);
        s.tick();
        await s.idle();
      }
      await s.stop();
      await ctx.repos.closeAll();
      return now;
    };
    const t0 = now;
    const stop1 = await run(INTERVAL_MS + 1000);
    const phase1 = new Map<string, number>();
    for (let i = 0; i < N; i++) {
      const id = `dev-${i}`;
      const got = exportsServed(sim, id);
      phase1.set(id, got);
      assert.ok(got >= slotsBetween(id, t0, stop1 - 2000) && got <= slotsBetween(id, t0, stop1), `${id}: ${got} exports in phase 1`);
    }
    // Every device changes; the process is down for a while (slots pass), then a new one starts.
    const changed = `${readFixture(V7_FIXTURE)}\n/system note\nset note="after restart"\n`;
    for (let i = 0; i < N; i++) sim.setExport(`dev-${i}`, changed);
    now += INTERVAL_MS / 2;
    const restart = now;
    const stop2 = await run(INTERVAL_MS + 1000);
    let ranTwiceInOneSlot = 0;
    for (let i = 0; i < N; i++) {
      const id = `dev-${i}`;
      const got = exportsServed(sim, id);
      // Slots missed while down run once at restart; then one per slot.
      const missed = slotsBetween(id, stop1, restart) > 0 ? 1 : 0;
      const want = [slotsBetween(id, t0, stop1 - 2000) + missed + slotsBetween(id, restart, stop2 - 2000), slotsBetween(id, t0, stop1) + missed + slotsBetween(id, restart, stop2)];
      if (got > want[1]) ranTwiceInOneSlot++;
      assert.ok(got >= want[0] && got <= want[1], `${id}: ${got} exports, expected ${want[0]}..${want[1]}`);
      // One commit for the first snapshot, one for the change: never a duplicate, never a loss.
      const p1 = phase1.get(id)!;
      assert.equal(commitCount(gitDir, `${id}.rsc`), (p1 > 0 ? 1 : 0) + (got - p1 > 0 ? 1 : 0), id);
    }
    assert.equal(ranTwiceInOneSlot, 0);
    // schedule.concurrency bounds SSH sessions, though twice as many backups may be in flight (archiving).
    assert.ok(sim.peakConcurrentExecs() <= 20, `peak concurrent exec channels: ${sim.peakConcurrentExecs()}`);
    assert.ok(sim.peakConcurrentExecs() >= 10, `the limit was used: ${sim.peakConcurrentExecs()}`);
  });
});
