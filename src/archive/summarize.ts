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
export function sectionsOfLines(lines: readonly string[], sectionOf: (line: string) => string | null): string[] {
  const out = new Array<string>(lines.length);
  let current = HEADER_SECTION;
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

/**
 * Line-level change between two archived files, every changed line counted
 * under the section it stands in (removed lines in the old file, added lines
 * in the new one). Sections keep the order they first appear in.
 */
export function summarize(before: string | null, after: string, sectionOf: (line: string) => string | null): ChangeSummary {
  const oldLines = splitLines(before ?? "");
  const newLines = splitLines(after);
  const oldSections = sectionsOfLines(oldLines, sectionOf);
  const newSections = sectionsOfLines(newLines, sectionOf);
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
