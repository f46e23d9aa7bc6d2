/**
 * The pure half of a compare: which lines the ignore rules leave out, and
 * sealed values masked. git finds the lines matching each rule; these
 * decide what happens to them.
 */

/** A line git found matching an ignore rule, and the section that rule is limited to (null: any). */
export interface IgnoreHit {
  /** 1-based line number. */
  readonly line: number;
  readonly ruleSection: string | null;
}

/**
 * 0-based indexes of the lines to leave out: a hit whose rule names a
 * section counts only where the line stands in it; a menu line is never left
 * out (the lines below it would change section).
 */
export function linesToLeaveOut(lines: readonly string[], sections: readonly string[], hits: readonly IgnoreHit[], sectionOf: (line: string) => string | null): Set<number> {
  const out = new Set<number>();
  for (const h of hits) {
    const i = h.line - 1;
    if (i < 0 || i >= lines.length || sectionOf(lines[i]!) !== null) continue;
    if (h.ruleSection === null || sections[i] === h.ruleSection) out.add(i);
  }
  return out;
}

/** The text without the lines at `dropped` (0-based), ending with a newline unless empty. */
export function withoutLines(text: string, lines: readonly string[], dropped: ReadonlySet<number>): string {
  if (dropped.size === 0) return text;
  const kept = lines.filter((_, i) => !dropped.has(i));
  return kept.length === 0 ? "" : `${kept.join("\n")}\n`;
}

/** What a sealed value reads as in a compare of two devices. */
export const SEALED_MASK = "age:(sealed)";
/** A sealed value as the archive writes it: `name=age:<base64url of an age file>`. */
const SEALED_VALUE = /=age:[A-Za-z0-9_-]{16,}/g;

/** Every sealed value replaced by SEALED_MASK, and how many there were. */
export function maskSealedValues(text: string): { readonly text: string; readonly count: number } {
  let count = 0;
  const masked = text.replace(SEALED_VALUE, () => {
    count++;
    return `=${SEALED_MASK}`;
  });
  return { text: masked, count };
}

export interface SectionedChange {
  readonly stats: { readonly added: number; readonly removed: number };
  /** In the order sections first appear in the diff. */
  readonly sections: Array<{ readonly section: string; readonly added: string[]; readonly removed: string[] }>;
}

/**
 * A `git diff -U0` text read into changed lines by section: a removed line
 * under the section it stood in in the old file, an added one under its
 * section in the new file (`oldSections` and `newSections`: one entry per
 * line of each whole file).
 */
export function sectionsOfDiff(diff: string, oldSections: readonly string[], newSections: readonly string[]): SectionedChange {
  const bySection = new Map<string, { section: string; added: string[]; removed: string[] }>();
  const entry = (section: string) => {
    let e = bySection.get(section);
    if (!e) bySection.set(section, (e = { section, added: [], removed: [] }));
    return e;
  };
  let added = 0;
  let removed = 0;
  let oldNo = 0;
  let newNo = 0;
  let inHunk = false;
  for (const line of diff.split("\n")) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (h) {
      inHunk = true;
      // With no old (new) lines, git names the line before the change.
      oldNo = h[2] === "0" ? Number(h[1]) + 1 : Number(h[1]);
      newNo = h[4] === "0" ? Number(h[3]) + 1 : Number(h[3]);
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith("diff --git ")) {
      inHunk = false;
      continue;
    }
    if (line.startsWith("-")) {
      entry(oldSections[oldNo - 1] ?? "").removed.push(line.slice(1));
      oldNo++;
      removed++;
    } else if (line.startsWith("+")) {
      entry(newSections[newNo - 1] ?? "").added.push(line.slice(1));
      newNo++;
      added++;
    }
  }
  return { stats: { added, removed }, sections: [...bySection.values()] };
}
