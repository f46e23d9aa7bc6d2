/**
 * A line diff whose cost has a ceiling, for the commit summary, history
 * stats and the JSON diff, which all run on the event loop.
 *
 * A full Myers diff costs O((N+M)·D): for a 12,000-line export whose every
 * line changed that is about 300 million steps (half a minute in jsdiff),
 * during which no other request is answered. Here:
 *
 * 1. Lines are interned to numbers, and a line that does not occur at all in
 *    the other file is changed in every possible edit script, so it is set
 *    aside before any search (git's xdiff does the same). The 12,000
 *    all-changed lines cost one pass.
 * 2. Myers' linear-space diff (middle snake, divide and conquer) runs on what
 *    is left, with a budget of steps. Within it the result is a shortest
 *    edit script: the counts git and jsdiff give (`exact`).
 * 3. Past the budget, a patience diff (lines unique on both sides are
 *    anchors, their longest increasing run is kept, the gaps are diffed the
 *    same way, a gap without anchors gets a small Myers budget of its own)
 *    with its own budget. Gaps left when that is spent count as wholly
 *    changed. The result is still a correct edit script (every line counted
 *    was removed from the old file or added to the new one at that place),
 *    maybe not the shortest: `exact` is false.
 *
 * Every step of every phase is charged to a budget, and a step is begun only
 * while its budget lasts, so the work is at most the two budgets plus a few
 * linear passes over the lines (interning, trimming, one search round's
 * overshoot).
 */

export interface LineDiff {
  /** 1 for each old line kept (common to both files), 0 for a removed line. */
  readonly keepOld: Uint8Array;
  /** 1 for each new line kept, 0 for an added line. */
  readonly keepNew: Uint8Array;
  /** True when this is a shortest edit script (what a full line diff counts). */
  readonly exact: boolean;
  /** Steps spent in the searches (tests check the ceiling with it). */
  readonly work: number;
}

export interface DiffBudget {
  /** Steps for the shortest-script search. */
  readonly exact: number;
  /** Steps for the patience fallback, when the first search gives up. */
  readonly fallback: number;
  /** Of `fallback`, at most this much for a single gap without anchors. */
  readonly gap: number;
}

/**
 * A step costs about 10-20 ns, so each budget is some 30-60 ms of one core
 * on the 2-core development machine: an edit of a real config touching up
 * to a thousand or two lines stays exact, and nothing holds the event loop
 * much longer.
 */
export const DEFAULT_DIFF_BUDGET: DiffBudget = { exact: 3_000_000, fallback: 3_000_000, gap: 300_000 };

class OverBudget extends Error {}

class Budget {
  spent = 0;
  constructor(public limit: number) {}
  charge(n: number): void {
    this.spent += n;
    if (this.spent > this.limit) throw new OverBudget();
  }
  get left(): number {
    return this.limit - this.spent;
  }
}

export function diffLines(a: readonly string[], b: readonly string[], budget: DiffBudget = DEFAULT_DIFF_BUDGET): LineDiff {
  const keepOld = new Uint8Array(a.length);
  const keepNew = new Uint8Array(b.length);
  if (a.length === 0 || b.length === 0) return { keepOld, keepNew, exact: true, work: 0 }; // all added, or all removed
  // 1. Intern, count, and set aside lines without a counterpart.
  const ids = new Map<string, number>();
  const intern = (lines: readonly string[]) => {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      let id = ids.get(line);
      if (id === undefined) ids.set(line, (id = ids.size));
      out[i] = id;
    }
    return out;
  };
  const rawA = intern(a);
  const rawB = intern(b);
  const inA = new Int32Array(ids.size);
  const inB = new Int32Array(ids.size);
  for (const id of rawA) inA[id]! += 1;
  for (const id of rawB) inB[id]! += 1;
  const where = (raw: Int32Array, other: Int32Array) => {
    const at: number[] = [];
    for (let i = 0; i < raw.length; i++) if (other[raw[i]!]! > 0) at.push(i);
    return Int32Array.from(at);
  };
  const posA = where(rawA, inB);
  const posB = where(rawB, inA);
  const A = posA.map((i) => rawA[i]!);
  const B = posB.map((j) => rawB[j]!);
  const keepA = new Uint8Array(A.length);
  const keepB = new Uint8Array(B.length);
  // Round d of a middle-snake search costs at least 2(d + 1) steps, so a budget allows about sqrt(budget) rounds.
  const maxD = Math.ceil(Math.sqrt(Math.max(budget.exact, budget.gap))) + 2;
  const search = new Search(A, B, keepA, keepB, maxD);

  // 2. A shortest edit script, within the budget.
  const first = new Budget(budget.exact);
  let exact = true;
  let work: number;
  try {
    search.myers(0, A.length, 0, B.length, first);
    work = first.spent;
  } catch (err) {
    if (!(err instanceof OverBudget)) throw err;
    // 3. A correct, maybe longer, script within the second budget.
    exact = false;
    keepA.fill(0);
    keepB.fill(0);
    const second = new Budget(budget.fallback);
    search.patience(second, budget.gap, ids.size);
    work = first.spent + second.spent;
  }
  for (let i = 0; i < A.length; i++) if (keepA[i]) keepOld[posA[i]!] = 1;
  for (let j = 0; j < B.length; j++) if (keepB[j]) keepNew[posB[j]!] = 1;
  return { keepOld, keepNew, exact, work };
}

/** The searches over interned lines `A` and `B`, marking kept lines in `keepA` / `keepB`. */
class Search {
  private readonly vf: Int32Array;
  private readonly vb: Int32Array;
  /** Index of diagonal 0 in `vf` (diagonal k = x - y) and of offset 0 from `delta` in `vb`. */
  private readonly offset: number;

  /** `maxD`: differences per middle-snake search, past which a budget is spent anyway. */
  constructor(
    private readonly A: Int32Array,
    private readonly B: Int32Array,
    private readonly keepA: Uint8Array,
    private readonly keepB: Uint8Array,
    maxD: number,
  ) {
    this.offset = Math.min(maxD, Math.ceil((A.length + B.length) / 2)) + 2;
    this.vf = new Int32Array(2 * this.offset + 1);
    this.vb = new Int32Array(2 * this.offset + 1);
  }

  /** Marks the common prefix and suffix of the range; returns what is left between them. */
  private trim(aLo: number, aHi: number, bLo: number, bHi: number, budget: Budget | null): [number, number, number, number] {
    const { A, B, keepA, keepB } = this;
    const from = aLo;
    while (aLo < aHi && bLo < bHi && A[aLo] === B[bLo]) keepA[aLo++] = keepB[bLo++] = 1;
    const to = aHi;
    while (aLo < aHi && bLo < bHi && A[aHi - 1] === B[bHi - 1]) keepA[--aHi] = keepB[--bHi] = 1;
    budget?.charge(aLo - from + (to - aHi));
    return [aLo, aHi, bLo, bHi];
  }

  /** Shortest edit script of the range (Myers 1986, linear space); throws OverBudget past the budget. */
  myers(aLo0: number, aHi0: number, bLo0: number, bHi0: number, budget: Budget): void {
    const stack: Array<[number, number, number, number]> = [[aLo0, aHi0, bLo0, bHi0]];
    while (stack.length > 0) {
      const [aLo, aHi, bLo, bHi] = this.trim(...stack.pop()!, budget);
      if (aLo === aHi || bLo === bHi) continue; // only removals or only additions left
      const [x, y, u, v] = this.middleSnake(aLo, aHi, bLo, bHi, budget);
      for (let i = x, j = y; i < u; i++, j++) this.keepA[i] = this.keepB[j] = 1;
      stack.push([aLo, x, bLo, y], [u, aHi, v, bHi]);
    }
  }

  /**
   * The middle snake of a shortest path through the range, as absolute
   * positions `[x, y, u, v]` (a diagonal run from (x,y) to (u,v)). The
   * range has no common first or last line, so both halves are strictly
   * smaller problems.
   */
  private middleSnake(aLo: number, aHi: number, bLo: number, bHi: number, budget: Budget): [number, number, number, number] {
    const { A, B, vf, vb, offset: o } = this;
    const n = aHi - aLo;
    const m = bHi - bLo;
    const delta = n - m;
    const odd = (delta & 1) !== 0;
    const max = Math.ceil((n + m) / 2);
    vf[o + 1] = 0;
    vb[o + 1] = n + 1; // backward paths are indexed by c = k - delta
    for (let d = 0; d <= max; d++) {
      if (d + 2 > o) throw new OverBudget(); // a budget allows no more rounds than this
      let steps = 2 * (d + 1); // the diagonals of both directions, plus every snake step below
      // Forward paths with d differences: x furthest along each diagonal k = x - y.
      for (let k = -d; k <= d; k += 2) {
        let x = k === -d || (k !== d && vf[o + k - 1]! < vf[o + k + 1]!) ? vf[o + k + 1]! : vf[o + k - 1]! + 1;
        let y = x - k;
        const x0 = x;
        const y0 = y;
        while (x < n && y < m && A[aLo + x] === B[bLo + y]) {
          x++;
          y++;
        }
        steps += x - x0;
        vf[o + k] = x;
        const c = k - delta;
        if (odd && c >= -(d - 1) && c <= d - 1 && x >= vb[o + c]!) {
          budget.charge(steps);
          return [aLo + x0, bLo + y0, aLo + x, bLo + y];
        }
      }
      // Backward paths with d differences, from the end: x smallest along each diagonal.
      for (let c = -d; c <= d; c += 2) {
        const k = c + delta;
        let x = c === -d || (c !== d && vb[o + c + 1]! - 1 < vb[o + c - 1]!) ? vb[o + c + 1]! - 1 : vb[o + c - 1]!;
        let y = x - k;
        const x1 = x;
        const y1 = y;
        while (x > 0 && y > 0 && A[aLo + x - 1] === B[bLo + y - 1]) {
          x--;
          y--;
        }
        steps += x1 - x;
        vb[o + c] = x;
        if (!odd && k >= -d && k <= d && x <= vf[o + k]!) {
          budget.charge(steps);
          return [aLo + x, bLo + y, aLo + x1, bLo + y1];
        }
      }
      budget.charge(steps);
    }
    throw new Error("line diff: no middle snake (unreachable)");
  }

  /**
   * Patience diff over the whole range, every step charged to `budget`;
   * ranges left when it is spent stay wholly changed.
   */
  patience(budget: Budget, gapBudget: number, idCount: number): void {
    const { A, B, keepA, keepB } = this;
    const countA = new Int32Array(idCount);
    const countB = new Int32Array(idCount);
    const atB = new Int32Array(idCount);
    const stack: Array<[number, number, number, number]> = [[0, A.length, 0, B.length]];
    while (stack.length > 0) {
      // Trimming is linear over disjoint ranges, so it runs even on an empty budget.
      const [aLo, aHi, bLo, bHi] = this.trim(...stack.pop()!, null);
      if (aLo === aHi || bLo === bHi) continue;
      // A level costs two passes over the range, then sorting its anchors: begun only when the budget covers it.
      const size = aHi - aLo + (bHi - bLo);
      if (budget.left < 2 * size) continue;
      budget.spent += 2 * size;
      // Anchors: lines that occur exactly once on each side of this range.
      for (let i = aLo; i < aHi; i++) countA[A[i]!]! += 1;
      for (let j = bLo; j < bHi; j++) {
        countB[B[j]!]! += 1;
        atB[B[j]!] = j;
      }
      const anchorA: number[] = [];
      const anchorB: number[] = [];
      for (let i = aLo; i < aHi; i++) {
        const id = A[i]!;
        if (countA[id] === 1 && countB[id] === 1) {
          anchorA.push(i);
          anchorB.push(atB[id]!);
        }
      }
      for (let i = aLo; i < aHi; i++) countA[A[i]!] = 0;
      for (let j = bLo; j < bHi; j++) countB[B[j]!] = 0;

      if (anchorA.length === 0) {
        // No anchor: a small shortest-script search, else the range stays changed.
        const own = new Budget(Math.min(gapBudget, budget.left));
        try {
          this.myers(aLo, aHi, bLo, bHi, own);
        } catch (err) {
          if (!(err instanceof OverBudget)) throw err;
          keepA.fill(0, aLo, aHi);
          keepB.fill(0, bLo, bHi);
        }
        budget.spent += own.spent;
        continue;
      }
      // The longest run of anchors in order on both sides, then the gaps between them.
      const sortCost = anchorB.length * Math.max(1, Math.ceil(Math.log2(anchorB.length + 1)));
      if (budget.left < sortCost) continue;
      budget.spent += sortCost;
      const chain = longestIncreasing(anchorB);
      let prevA = aLo;
      let prevB = bLo;
      for (const c of chain) {
        const i = anchorA[c]!;
        const j = anchorB[c]!;
        keepA[i] = keepB[j] = 1;
        stack.push([prevA, i, prevB, j]);
        prevA = i + 1;
        prevB = j + 1;
      }
      stack.push([prevA, aHi, prevB, bHi]);
    }
  }
}

/** Indexes of a longest strictly increasing subsequence of `values` (patience sorting, O(n log n)). */
export function longestIncreasing(values: readonly number[]): number[] {
  const tails: number[] = []; // index of the smallest tail of each run length
  const prev = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[tails[mid]!]! < v) lo = mid + 1;
      else hi = mid;
    }
    prev[i] = lo > 0 ? tails[lo - 1]! : -1;
    tails[lo] = i;
  }
  const out: number[] = new Array(tails.length);
  for (let k = tails.length - 1, i = tails[k] ?? -1; k >= 0; k--, i = prev[i]!) out[k] = i;
  return out;
}
