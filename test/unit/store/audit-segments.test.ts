import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { completeLength, LINE_TOO_LONG, linesBackward, linesForward } from "../../../src/store/audit-segments.js";
import { tempDir } from "../../helpers/tmp.js";

async function all<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

/** Lines of many lengths, some across the 64 KiB read chunks, one empty. */
function sampleLines(): string[] {
  const lengths = [1, 0, 70_000, 3, 65_535, 65_536, 65_537, 10, 131_072, 2, 200_000, 5];
  return lengths.map((n, i) => String.fromCharCode(97 + (i % 26)).repeat(n) + (n > 0 ? `-${i}` : ""));
}

describe("store: audit segment reading, bounded", () => {
  it("reads every line backwards and forwards, across chunk boundaries", async () => {
    const file = path.join(tempDir(), "s.jsonl");
    const lines = sampleLines();
    writeFileSync(file, `${lines.join("\n")}\n`);
    const end = await completeLength(file, 1 << 20);
    assert.equal(end, Buffer.byteLength(`${lines.join("\n")}\n`));
    assert.deepEqual(await all(linesBackward(file, end, 1 << 20)), [...lines].reverse());
    assert.deepEqual((await all(linesForward(file, 1 << 20))).map((x) => (x === LINE_TOO_LONG ? x : x.line)), lines);
  });

  it("a torn tail is outside the complete length and marked torn going forwards", async () => {
    const file = path.join(tempDir(), "t.jsonl");
    writeFileSync(file, `one\ntwo\n${"x".repeat(100_000)}`);
    assert.equal(await completeLength(file, 1 << 20), 8);
    assert.deepEqual(await all(linesBackward(file, 8, 1 << 20)), ["two", "one"]);
    const fwd = await all(linesForward(file, 1 << 20));
    assert.deepEqual(fwd.at(-1), { line: "x".repeat(100_000), torn: true });
  });

  it("a line longer than the limit ends the walk instead of being read whole", async () => {
    const file = path.join(tempDir(), "l.jsonl");
    writeFileSync(file, `first\n${"y".repeat(300_000)}\nlast\n`);
    const size = 6 + 300_001 + 5;
    assert.deepEqual(await all(linesBackward(file, size, 100_000)), ["last", LINE_TOO_LONG]);
    assert.deepEqual(await all(linesForward(file, 100_000)), [{ line: "first", torn: false }, LINE_TOO_LONG]);
    // No newline at all within the limit from the end: nothing complete can be found there.
    writeFileSync(file, "z".repeat(300_000));
    assert.equal(await completeLength(file, 100_000), 0);
  });
});
