import assert from "node:assert/strict";
import { diffArrays } from "diff";
import { DEFAULT_DIFF_BUDGET, diffLines, summarize, type LineDiff } from "../../../src/archive/index.js";
import { longestIncreasing } from "../../../src/archive/line-diff.js";

const random = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const sectionOf = (l: string) => (l.startsWith("/") ? l : null);

/** Lines removed and added by a diff result. */
function counts(r: LineDiff): { removed: number; added: number } {
  const kept = (k: Uint8Array) => k.reduce((n, x) => n + x, 0);
  return { removed: r.keepOld.length - kept(r.keepOld), added: r.keepNew.length - kept(r.keepNew) };
}

/** A correct edit script: the kept lines of both sides are the same sequence. */
function assertValid(a: readonly string[], b: readonly string[], r: LineDiff): void {
  const ka = a.filter((_, i) => r.keepOld[i] === 1);
  const kb = b.filter((_, j) => r.keepNew[j] === 1);
  assert.deepEqual(ka, kb, "kept lines are common to both sides, in order");
}

/** The fewest removed lines any edit script can have: old lines with no equal line left in the new file. */
function multisetRemoved(a: readonly string[], b: readonly string[]): number {
  const left = new Map<string, number>();
  for (const l of b) left.set(l, (left.get(l) ?? 0) + 1);
  let n = 0;
  for (const l of a) {
    const k = left.get(l) ?? 0;
    if (k > 0) left.set(l, k - 1);
    else n++;
  }
  return n;
}

/** Every step of every search is charged: work stays within both budgets, plus a linear term (one search round's overshoot). */
const workCeiling = (lines: number) => DEFAULT_DIFF_BUDGET.exact + DEFAULT_DIFF_BUDGET.fallback + 2 * lines;
/** A wall bound no busy machine should reach (the unbounded diff took 15-37 s on the 12,000-line case). */
const WALL_MS = 5000;

function timed<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const v = fn();
  return [v, performance.now() - t];
}

describe("archive: bounded line diff", () => {
  it("is a shortest edit script, as jsdiff counts it, for small random inputs", () => {
    const rnd = random(11);
    for (let t = 0; t < 2000; t++) {
      const alphabet = 1 + Math.floor(rnd() * 6);
      const a = Array.from({ length: Math.floor(rnd() * 40) }, () => `l${Math.floor(rnd() * alphabet)}`);
      const b = Array.from({ length: Math.floor(rnd() * 40) }, () => `l${Math.floor(rnd() * alphabet)}`);
      const r = diffLines(a, b);
      assertValid(a, b, r);
      let removed = 0;
      let added = 0;
      for (const part of diffArrays(a, b)) {
        if (part.removed) removed += part.count ?? part.value.length;
        if (part.added) added += part.count ?? part.value.length;
      }
      assert.equal(r.exact, true);
      assert.deepEqual(counts(r), { removed, added }, JSON.stringify({ a, b }));
    }
  });

  it("past a tiny budget still gives a correct edit script, flagged as not exact", () => {
    const rnd = random(5);
    let inexact = 0;
    for (let t = 0; t < 2000; t++) {
      const alphabet = 1 + Math.floor(rnd() * 30);
      const a = Array.from({ length: Math.floor(rnd() * 60) }, () => `l${Math.floor(rnd() * alphabet)}`);
      const b = Array.from({ length: Math.floor(rnd() * 60) }, () => `l${Math.floor(rnd() * alphabet)}`);
      const r = diffLines(a, b, { exact: 5, fallback: Math.floor(rnd() * 200), gap: 20 });
      assertValid(a, b, r);
      assert.ok(counts(r).removed >= multisetRemoved(a, b));
      if (!r.exact) inexact++;
    }
    assert.ok(inexact > 500, `the fallback ran (${inexact} times)`);
  });

  describe("adversarial inputs finish within the work budget", () => {
    const rnd = random(3);
    const cases: Array<[string, string[], string[], { removed: number; added: number } | null]> = [
      ["12,000 lines, every one changed", Array.from({ length: 12000 }, (_, i) => `add address=10.0.${i >> 8}.${i & 255} list=a${i}`), Array.from({ length: 12000 }, (_, i) => `add address=10.0.${i >> 8}.${i & 255} list=b${i}`), { removed: 12000, added: 12000 }],
      ["12,000 lines reversed", Array.from({ length: 12000 }, (_, i) => `line ${i}`), Array.from({ length: 12000 }, (_, i) => `line ${11999 - i}`), null],
      ["interleaved duplicates from 4 lines", Array.from({ length: 12000 }, () => `x${Math.floor(rnd() * 4)}`), Array.from({ length: 12000 }, () => `x${Math.floor(rnd() * 4)}`), null],
      ["alternating pairs shifted", Array.from({ length: 12000 }, (_, i) => (i % 2 ? "a" : "b")), Array.from({ length: 12000 }, (_, i) => (i % 3 ? "a" : "b")), null],
      ["300,000 one-line menus, all renamed", Array.from({ length: 300_000 }, (_, i) => `/a${i}`), Array.from({ length: 300_000 }, (_, i) => `/b${i}`), { removed: 300_000, added: 300_000 }],
      ["300,000 one-line menus, shuffled", Array.from({ length: 300_000 }, (_, i) => `/m${i}`), shuffle(Array.from({ length: 300_000 }, (_, i) => `/m${i}`), rnd), null],
    ];
    for (const [name, a, b, expected] of cases) {
      it(name, () => {
        const [r, ms] = timed(() => diffLines(a, b));
        const ceiling = workCeiling(a.length + b.length);
        assert.ok(r.work <= ceiling, `work ${r.work} <= ${ceiling}`);
        assert.ok(ms < WALL_MS, `${ms.toFixed(0)} ms`);
        assertValid(a, b, r);
        const c = counts(r);
        assert.ok(c.removed >= multisetRemoved(a, b) && c.added >= multisetRemoved(b, a), "no script removes fewer lines than have no counterpart");
        assert.equal(c.removed - c.added, a.length - b.length);
        if (expected) assert.deepEqual(c, expected);
      });
    }
  });

  it("summarize stays exact for small edits of a large file, and bounded for a whole rewrite", () => {
    const a = Array.from({ length: 12000 }, (_, i) => `add address=10.1.${i >> 8}.${i & 255} list=l${i}`);
    const small = [...a];
    small[5000] += " comment=x";
    small.splice(9000, 1);
    const text = (lines: string[]) => `/ip firewall address-list\n${lines.join("\n")}\n`;
    const s = summarize(text(a), text(small), sectionOf);
    assert.equal(s.approximate, false);
    assert.deepEqual(s.stats, { added: 1, removed: 2 });
    const rewrite = a.map((l) => l.replace("list=", "list=new-"));
    const [all, ms] = timed(() => summarize(text(a), text(rewrite), sectionOf));
    assert.ok(ms < WALL_MS, `${ms.toFixed(0)} ms`);
    assert.deepEqual(all.stats, { added: 12000, removed: 12000 });
    assert.deepEqual(all.sections, [{ section: "/ip firewall address-list", added: 12000, removed: 12000 }]);
  });

  it("longestIncreasing finds a longest strictly increasing run", () => {
    assert.deepEqual(longestIncreasing([]), []);
    assert.deepEqual(longestIncreasing([3, 1, 2, 5, 4, 6]).length, 4);
    const v = [5, 1, 6, 2, 7, 3, 8];
    const run = longestIncreasing(v).map((i) => v[i]!);
    assert.deepEqual(run, [1, 2, 3, 8]);
  });
});

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
