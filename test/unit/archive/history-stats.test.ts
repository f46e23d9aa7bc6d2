import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { StatsStore } from "../../../src/archive/history-stats.js";
import { tempDir } from "../../helpers/tmp.js";

const id = (n: number) => n.toString(16).padStart(40, "0");
const line = (n: number) => `${JSON.stringify({ c: id(n), p: `dev-${n}.rsc`, a: n, r: 1, s: [["/ip firewall filter", n, 1]] })}\n`;

describe("history stats cache file: bounded to its newest lines", () => {
  it("reads only the tail (the cut first line skipped) and compacts a file past the limit", async () => {
    const file = path.join(tempDir(), "stats.jsonl");
    writeFileSync(file, Array.from({ length: 1000 }, (_, n) => line(n)).join(""));
    const store = new StatsStore(file, { tailBytes: 10_000, compactBytes: 50_000 });
    await store.load();
    assert.deepEqual(store.get(id(999), "dev-999.rsc"), { stats: { added: 999, removed: 1 }, sections: [{ section: "/ip firewall filter", added: 999, removed: 1 }] });
    assert.equal(store.has(id(0), "dev-0.rsc"), false, "old lines are left to git");
    const kept = Array.from({ length: 1000 }, (_, n) => n).filter((n) => store.has(id(n), `dev-${n}.rsc`));
    assert.ok(kept.length > 50 && kept.length < 120, `kept ${kept.length}`);
    assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => 1000 - kept.length + i), "the newest, contiguous");
    assert.ok(statSync(file).size <= 10_000, "compacted to the tail");
    assert.ok(readFileSync(file, "utf8").split("\n").filter(Boolean).every((l) => JSON.parse(l).c), "whole lines only");
  });

  it("a file under the limit is read whole and left alone", async () => {
    const file = path.join(tempDir(), "stats.jsonl");
    writeFileSync(file, line(1) + line(2));
    const store = new StatsStore(file);
    await store.load();
    assert.ok(store.has(id(1), "dev-1.rsc") && store.has(id(2), "dev-2.rsc"));
    assert.equal(readFileSync(file, "utf8"), line(1) + line(2));
  });

  it("keeps capped sections, their omitted count and the approximate flag; caps a line written before the cap", async () => {
    const file = path.join(tempDir(), "stats.jsonl");
    const many = Array.from({ length: 300 }, (_, k) => [`/m${k}`, k % 5, 1]);
    writeFileSync(file, `${JSON.stringify({ c: id(1), p: "a.rsc", a: 600, r: 300, s: many })}\n`);
    const store = new StatsStore(file);
    await store.load();
    const old = store.get(id(1), "a.rsc")!;
    assert.equal(old.sections.length, 100);
    assert.equal(old.sectionsOmitted!.sections, 200);
    assert.equal(old.sections.reduce((n, s) => n + s.added, 0) + old.sectionsOmitted!.added, many.reduce((n, s) => n + (s[1] as number), 0));
    store.put(id(2), "b.rsc", { stats: { added: 5, removed: 5 }, sections: [{ section: "/a", added: 5, removed: 5 }], sectionsOmitted: { sections: 7, added: 9, removed: 9 }, approximate: true });
    await store.flushed();
    const again = new StatsStore(file);
    await again.load();
    assert.deepEqual(again.get(id(2), "b.rsc"), { stats: { added: 5, removed: 5 }, sections: [{ section: "/a", added: 5, removed: 5 }], sectionsOmitted: { sections: 7, added: 9, removed: 9 }, approximate: true });
  });

  it("one commit that changed two files keeps the stats of each, also after a restart", async () => {
    const file = path.join(tempDir(), "stats.jsonl");
    const store = new StatsStore(file);
    await store.load();
    const stats = (n: number) => ({ stats: { added: n, removed: 0 }, sections: [{ section: "/system note", added: n, removed: 0 }] });
    store.put(id(7), "fra/core-1.rsc", stats(1));
    store.put(id(7), "core-10.rsc", stats(2));
    store.put(id(7), "fra/core-1.rsc", stats(9)); // once per key: the first stays
    await store.flushed();
    for (const s of [store, new StatsStore(file)]) {
      await s.load();
      assert.deepEqual(s.get(id(7), "fra/core-1.rsc"), stats(1));
      assert.deepEqual(s.get(id(7), "core-10.rsc"), stats(2));
      assert.equal(s.has(id(7), "core-1.rsc"), false, "a path that is only a suffix of a kept one");
      assert.equal(s.has(id(8), "core-10.rsc"), false);
    }
  });
});
