import assert from "node:assert/strict";
import { GroupCommit } from "../../../src/archive/group-commit.js";

describe("archive: GroupCommit", () => {
  it("requests that arrive while a batch is written become the next batch, each answered with its own result", async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const q = new GroupCommit<number, string>(async (batch) => {
      batches.push([...batch]);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      return batch.map((n) => `r${n}`);
    }, 100);
    const first = q.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [q.submit(2), q.submit(3), q.submit(4)];
    release();
    assert.deepEqual(await Promise.all([first, ...later]), ["r1", "r2", "r3", "r4"]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it("a failed request fails alone; a failed batch fails its requests and the queue goes on", async () => {
    let calls = 0;
    const q = new GroupCommit<number, number>(async (batch) => {
      calls++;
      if (calls === 1) throw new Error("disk full");
      return batch.map((n) => (n === 7 ? new Error("bad seven") : n * 2));
    }, 100);
    await assert.rejects(q.submit(1), /disk full/);
    const [a, b] = await Promise.allSettled([q.submit(7), q.submit(8)]);
    assert.equal(a.status, "rejected");
    assert.deepEqual(b, { status: "fulfilled", value: 16 });
  });

  it("never puts more than maxBatch requests in one batch", async () => {
    const sizes: number[] = [];
    const q = new GroupCommit<number, number>(async (batch) => {
      sizes.push(batch.length);
      return [...batch];
    }, 3);
    await Promise.all(Array.from({ length: 10 }, (_, i) => q.submit(i)));
    assert.ok(sizes.every((n) => n <= 3));
    assert.equal(sizes.reduce((a, b) => a + b, 0), 10);
    await q.whenIdle();
  });
});
