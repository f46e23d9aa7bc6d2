import assert from "node:assert/strict";
import { RosarchiveError } from "../../../src/common/index.js";
import { SearchSlots } from "../../../src/search/index.js";

describe("search: slots (searches at once, and waiting)", () => {
  it("runs at most `atOnce`, queues up to `waiting` in order, refuses the rest with rate_limited", async () => {
    const slots = new SearchSlots(2, 1);
    const release: Array<() => void> = [];
    const started: number[] = [];
    const job = (n: number) => () =>
      new Promise<number>((resolve) => {
        started.push(n);
        release.push(() => resolve(n));
      });
    const a = slots.run(job(1));
    const b = slots.run(job(2));
    const c = slots.run(job(3)); // waits
    await assert.rejects(slots.run(job(4)), (e: unknown) => e instanceof RosarchiveError && e.code === "rate_limited" && /try again/.test(e.message));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [1, 2], "the third waits for a slot");
    release[0]!();
    assert.equal(await a, 1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [1, 2, 3], "a freed slot goes to the one waiting");
    release[1]!();
    release[2]!();
    assert.deepEqual(await Promise.all([b, c]), [2, 3]);
    // All free again: a new search starts at once; a failing one gives its slot back.
    await assert.rejects(slots.run(async () => Promise.reject(new Error("git failed"))), /git failed/);
    assert.equal(await slots.run(async () => 5), 5);
    assert.equal(await Promise.all([slots.run(async () => 6), slots.run(async () => 7), slots.run(async () => 8)]).then((v) => v.join()), "6,7,8");
  });
});
