import assert from "node:assert/strict";
import { RecentContents } from "../../../src/archive/recent-contents.js";

describe("archive: recent blob contents (the writer's diff base)", () => {
  it("keeps the newest blobs within its byte budget, dropping the oldest first", () => {
    const c = new RecentContents(100);
    for (let i = 0; i < 10; i++) c.set(`b${i}`, Buffer.alloc(12, i));
    // 10 x 12 bytes over a 100-byte budget: the two oldest are gone.
    assert.equal(c.get("b0"), undefined);
    assert.equal(c.get("b1"), undefined);
    assert.deepEqual(c.get("b2"), Buffer.alloc(12, 2));
    assert.deepEqual(c.get("b9"), Buffer.alloc(12, 9));
  });

  it("refuses a blob larger than an eighth of the budget, so one export cannot flush the rest", () => {
    const c = new RecentContents(800);
    c.set("small", Buffer.alloc(10));
    c.set("big", Buffer.alloc(101));
    assert.equal(c.get("big"), undefined);
    assert.ok(c.get("small"));
  });
});
