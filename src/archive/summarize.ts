import { diffArrays } from "diff";

/** Section of lines above the first menu path: the header comments. */
export const HEADER_SECTION = "(header)";

export interface SectionChange {
  readonly section: string;
  readonly added: number;
  readonly removed: number;
}

export interface ChangeSummary {
  readonly stats: { readonly added: number; readonly removed: number };
  readonly sections: readonly SectionChange[];
  /** Changed lines by section, for the JSON diff. */
  readonly lines: ReadonlyArray<{ readonly section: string; readonly added: string[]; readonly removed: string[] }>;
}

/** Menu path each line stands in, taken from the whole file, not a diff hunk (SPEC §8). */
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

/**
 * Line-level change between two archived files, every changed line counted
 * under the section it stands in (removed lines in the old file, added lines
 * in the new one). Sections keep the order they first appear in.
 *
 * Configs change in a few places: only the lines between the common head and
 * tail of the two texts are split and diffed, so the cost follows the size of
 * the change, not of the file.
 */
export function summarize(before: string | null, after: string, sectionOf: (line: string) => string | null): ChangeSummary {
  const a = before ?? "";
  const b = after;
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
  const aEnd = fromA + keep;
  const bEnd = fromB + keep;
  const oldLines = splitLines(a.slice(head, aEnd));
  const newLines = splitLines(b.slice(head, bEnd));
  const initial = head === 0 ? HEADER_SECTION : sectionBefore(a, head, sectionOf);
  const oldSections = sectionsOfLines(oldLines, sectionOf, initial);
  const newSections = sectionsOfLines(newLines, sectionOf, initial);
  const bySection = new Map<string, { section: string; added: string[]; removed: string[] }>();
  const entry = (section: string) => {
    let e = bySection.get(section);
    if (!e) bySection.set(section, (e = { section, added: [], removed: [] }));
    return e;
  };
  let oi = 0;
  let ni = 0;
  let added = 0;
  let removed = 0;
  for (const part of diffArrays(oldLines, newLines)) {
    const n = part.count ?? part.value.length;
    if (part.removed) {
      for (let k = 0; k < n; k++) entry(oldSections[oi + k]!).removed.push(oldLines[oi + k]!);
      oi += n;
      removed += n;
    } else if (part.added) {
      for (let k = 0; k < n; k++) entry(newSections[ni + k]!).added.push(newLines[ni + k]!);
      ni += n;
      added += n;
    } else {
      oi += n;
      ni += n;
    }
  }
  const lines = [...bySection.values()];
  return {
    stats: { added, removed },
    sections: lines.map((l) => ({ section: l.section, added: l.added.length, removed: l.removed.length })),
    lines,
  };
}

/** `+2 -1 in /ip firewall filter` (SPEC §7 subject), naming at most two sections. */
export function summaryLine(s: ChangeSummary): string {
  const names = s.sections.map((x) => x.section);
  const where = names.length === 0 ? "" : names.length <= 2 ? ` in ${names.join(", ")}` : ` in ${names[0]} and ${names.length - 1} more sections`;
  return `+${s.stats.added} -${s.stats.removed}${where}`;
}
