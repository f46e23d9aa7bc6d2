import { capSections, sectionName, type CommitStats, type SectionChange, type SectionsOmitted } from "./change-stats.js";
import { DEFAULT_DIFF_BUDGET, diffLines, type DiffBudget } from "./line-diff.js";

export type { SectionChange, SectionsOmitted } from "./change-stats.js";

/** Section of lines above the first menu path: the header comments. */
export const HEADER_SECTION = "(header)";

export interface SectionLines {
  readonly section: string;
  readonly added: string[];
  readonly removed: string[];
}

/** Changed lines by section, as listed within a limit. */
export interface ChangedLines {
  readonly sections: SectionLines[];
  /** True when some changed lines were left out (the limit was reached); `stats` still counts them. */
  readonly truncated: boolean;
  /** Sections none of whose lines are listed, counted; absent when every section is listed. */
  readonly omitted: SectionsOmitted | undefined;
}

export interface ChangeSummary extends CommitStats {
  /** The line diff's search gave up (see CommitStats): false for every edit small enough to search. */
  readonly approximate: boolean;
  /** Every changed line by section, in diff order (built when read; no limit). */
  readonly lines: readonly SectionLines[];
  /** Changed lines by section, at most `maxLines` lines and `maxChars` characters of them. */
  changedLines(limits: { maxLines: number; maxChars: number }): ChangedLines;
}

/** Menu path each line stands in, taken from the whole file, not a diff hunk. */
export function sectionsOfLines(lines: readonly string[], sectionOf: (line: string) => string | null, initial = HEADER_SECTION): string[] {
  const out = new Array<string>(lines.length);
  let current = initial;
  for (let i = 0; i < lines.length; i++) {
    const s = sectionOf(lines[i]!);
    if (s !== null) current = s;
    out[i] = current;
  }
  return out;
}

/** `sectionsOfLines`, a slice of LINES_PER_STEP lines per step. */
function* sectionsInSteps(lines: readonly string[], sectionOf: (line: string) => string | null, initial: string): Generator<void, string[]> {
  const out = new Array<string>(lines.length);
  let current = initial;
  for (let i = 0; i < lines.length; i++) {
    const s = sectionOf(lines[i]!);
    if (s !== null) current = s;
    out[i] = current;
    if ((i + 1) % LINES_PER_STEP === 0) yield;
  }
  return out;
}

export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Length of the common prefix of `a` and `b`, compared in blocks (string equality is a memcmp; a char loop is not). */
function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let p = 0;
  for (let step = 4096; step >= 1; step >>= 4) {
    while (p + step <= max && a.slice(p, p + step) === b.slice(p, p + step)) p += step;
  }
  return p;
}

/** Length of the common suffix of `a` and `b`, no longer than `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let s = 0;
  for (let step = 4096; step >= 1; step >>= 4) {
    while (s + step <= max && a.slice(a.length - s - step, a.length - s) === b.slice(b.length - s - step, b.length - s)) s += step;
  }
  return s;
}

/** The section in force at offset `at` of `text` (a line start), from the last menu line above it. */
function sectionBefore(text: string, at: number, sectionOf: (line: string) => string | null): string {
  for (let end = at - 1; end > 0; ) {
    const start = text.lastIndexOf("\n", end - 1) + 1;
    const s = sectionOf(text.slice(start, end));
    if (s !== null) return s;
    end = start - 1;
  }
  return HEADER_SECTION;
}

/** Lines handled between two chances for other work to run (summarizeYielding). */
const LINES_PER_STEP = 20_000;

/**
 * Line-level change between two archived files, every changed line counted
 * under the section it stands in (removed lines in the old file, added lines
 * in the new one). Sections keep the order they first appear in; more than
 * MAX_SECTIONS are capped to the largest (`sectionsOmitted` counts the rest).
 *
 * Configs change in a few places: only the lines between the common head and
 * tail of the two texts are split and diffed, so the cost follows the size of
 * the change, not of the file. The diff itself has a ceiling (line-diff.ts):
 * a change too large to search exactly is counted by a correct but maybe
 * longer edit script and flagged `approximate`.
 */
export function summarize(before: string | null, after: string, sectionOf: (line: string) => string | null, budget: DiffBudget = DEFAULT_DIFF_BUDGET): ChangeSummary {
  const steps = summarySteps(before, after, sectionOf, budget);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `summarize`, letting other work run (one event-loop turn) every
 * LINES_PER_STEP lines: an export of hundreds of thousands of lines is
 * summarized in slices of a few tens of milliseconds, never in one block.
 * A small change takes no turn at all.
 */
export async function summarizeYielding(before: string | null, after: string, sectionOf: (line: string) => string | null, budget: DiffBudget = DEFAULT_DIFF_BUDGET): Promise<ChangeSummary> {
  const steps = summarySteps(before, after, sectionOf, budget);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The work of a summary; each `yield` is a point where other work may run. */
function* summarySteps(before: string | null, after: string, sectionOf: (line: string) => string | null, budget: DiffBudget): Generator<void, ChangeSummary> {
  const a = before ?? "";
  const { head, oldLines, newLines } = changedRegion(a, after);
  const initial = head === 0 ? HEADER_SECTION : sectionBefore(a, head, sectionOf);
  const oldSections = yield* sectionsInSteps(oldLines, sectionOf, initial);
  const newSections = yield* sectionsInSteps(newLines, sectionOf, initial);
  // A large diff is a step of its own: other work runs before and after it.
  const large = oldLines.length + newLines.length > LINES_PER_STEP;
  if (large) yield;
  const diff = diffLines(oldLines, newLines, budget);
  if (large) yield;
  const d: LineChanges = { oldLines, newLines, oldSections, newSections, keepOld: diff.keepOld, keepNew: diff.keepNew };
  const { all, added, removed } = yield* countBySection(d);
  const { sections, omitted } = capSections(all);
  const changedLines = (limits: { maxLines: number; maxChars: number }): ChangedLines => listChangedLines(d, all, limits);
  return {
    stats: { added, removed },
    sections,
    sectionsOmitted: omitted,
    approximate: !diff.exact,
    changedLines,
    get lines() {
      return changedLines({ maxLines: Infinity, maxChars: Infinity }).sections;
    },
  };
}

/**
 * The lines of `a` and `b` between their common head and tail, whole lines
 * only, and where they start (`head`, the same offset in both): only these
 * are split and diffed, so the cost follows the size of the change.
 */
function changedRegion(a: string, b: string): { head: number; oldLines: string[]; newLines: string[] } {
  // Whole lines in common at the start, then at the end (never overlapping the start).
  const p = commonPrefix(a, b);
  const head = p === 0 ? 0 : a.lastIndexOf("\n", p - 1) + 1;
  const suffix = commonSuffix(a, b, Math.min(a.length, b.length) - head);
  const fromA = a.length - suffix;
  const fromB = b.length - suffix;
  const atLineStart = (t: string, i: number) => i === 0 || t.charCodeAt(i - 1) === 10;
  // The tail must start a line on both sides: else it starts after the first line break inside it.
  let keep = 0;
  if (!atLineStart(a, fromA) || !atLineStart(b, fromB)) {
    const nl = a.indexOf("\n", fromA);
    keep = nl < 0 ? suffix : nl + 1 - fromA;
  }
  return { head, oldLines: splitLines(a.slice(head, fromA + keep)), newLines: splitLines(b.slice(head, fromB + keep)) };
}

/** The changed region of two files, diffed: its lines, the section of each, and which lines the diff keeps. */
interface LineChanges {
  readonly oldLines: readonly string[];
  readonly newLines: readonly string[];
  readonly oldSections: readonly string[];
  readonly newSections: readonly string[];
  readonly keepOld: Uint8Array;
  readonly keepNew: Uint8Array;
}

/** Calls `visit` for each changed line in diff order (a block's removals before its additions), from position (i, j), until it returns false; `from` is left where it stopped. */
function walkChanges(d: LineChanges, visit: (removed: boolean, index: number) => boolean, from: { i: number; j: number } = { i: 0, j: 0 }): void {
  const { oldLines, newLines, keepOld, keepNew } = d;
  let { i, j } = from;
  while (i < oldLines.length || j < newLines.length) {
    if (i < oldLines.length && !keepOld[i]) {
      if (!visit(true, i++)) break;
    } else if (j < newLines.length && !keepNew[j]) {
      if (!visit(false, j++)) break;
    } else {
      i++;
      j++;
    }
  }
  from.i = i;
  from.j = j;
}

/** Added and removed lines counted per section (in order of first appearance) and in all, LINES_PER_STEP lines per step. */
function* countBySection(d: LineChanges): Generator<void, { all: SectionChange[]; added: number; removed: number }> {
  // Counts by section in typed arrays: a hostile export can have hundreds of thousands of sections.
  const sectionIndex = new Map<string, number>();
  const sectionNames: string[] = [];
  let sectionAdded = new Int32Array(64);
  let sectionRemoved = new Int32Array(64);
  let added = 0;
  let removed = 0;
  let inStep = 0;
  const count = (isRemoved: boolean, k: number) => {
    const section = isRemoved ? d.oldSections[k]! : d.newSections[k]!;
    let at = sectionIndex.get(section);
    if (at === undefined) {
      at = sectionNames.push(section) - 1;
      sectionIndex.set(section, at);
      if (at === sectionAdded.length) {
        sectionAdded = doubled(sectionAdded);
        sectionRemoved = doubled(sectionRemoved);
      }
    }
    if (isRemoved) {
      sectionRemoved[at]! += 1;
      removed++;
    } else {
      sectionAdded[at]! += 1;
      added++;
    }
    return ++inStep < LINES_PER_STEP;
  };
  for (const at = { i: 0, j: 0 }; at.i < d.oldLines.length || at.j < d.newLines.length; ) {
    walkChanges(d, count, at);
    if (inStep >= LINES_PER_STEP) {
      inStep = 0;
      yield;
    }
  }
  const all = sectionNames.map((section, i) => ({ section, added: sectionAdded[i]!, removed: sectionRemoved[i]! }));
  return { all, added, removed };
}

/** A copy of `t` with twice the room. */
function doubled(t: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const n = new Int32Array(t.length * 2);
  n.set(t);
  return n;
}

/** The changed lines by section, in diff order, within `limits`; `all` (every section's counts) counts what is left out. */
function listChangedLines(d: LineChanges, all: readonly SectionChange[], limits: { maxLines: number; maxChars: number }): ChangedLines {
  const listed = new Map<string, SectionLines>();
  let lines = 0;
  let chars = 0;
  let truncated = false;
  walkChanges(d, (isRemoved, k) => {
    const text = isRemoved ? d.oldLines[k]! : d.newLines[k]!;
    if (lines + 1 > limits.maxLines || chars + text.length > limits.maxChars) {
      truncated = true;
      return false;
    }
    lines++;
    chars += text.length;
    const section = isRemoved ? d.oldSections[k]! : d.newSections[k]!;
    let e = listed.get(section);
    if (!e) listed.set(section, (e = { section, added: [], removed: [] }));
    (isRemoved ? e.removed : e.added).push(text);
    return true;
  });
  const left = truncated ? unlisted(all, listed) : undefined;
  return { sections: [...listed.values()], truncated, omitted: left && left.sections > 0 ? left : undefined };
}

/** What the sections not in `listed` add up to. */
function unlisted(all: readonly SectionChange[], listed: ReadonlyMap<string, SectionLines>): SectionsOmitted {
  const l = { sections: 0, added: 0, removed: 0 };
  for (const e of all) {
    if (listed.has(e.section)) continue;
    l.sections++;
    l.added += e.added;
    l.removed += e.removed;
  }
  return l;
}

/** `+2 -1 in /ip firewall filter` (the commit subject), naming at most two sections. */
export function summaryLine(s: CommitStats): string {
  const names = s.sections.map((x) => sectionName(x.section));
  const total = names.length + (s.sectionsOmitted?.sections ?? 0);
  const where = total === 0 ? "" : total <= 2 ? ` in ${names.join(", ")}` : ` in ${names[0]} and ${total - 1} more sections`;
  return `+${s.stats.added} -${s.stats.removed}${where}`;
}
