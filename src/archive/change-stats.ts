/**
 * What one commit changed, in the bounded shape every consumer shares: the
 * commit summary, history entries, the stats cache, and `config.changed`
 * events (webhook, SSE, hook stdin). A router that exports 300,000 one-line
 * menus would otherwise list 300,000 sections in each of them.
 */

export interface SectionChange {
  readonly section: string;
  readonly added: number;
  readonly removed: number;
}

/** The sections left out of a capped list, and their changed lines. */
export interface SectionsOmitted {
  readonly sections: number;
  readonly added: number;
  readonly removed: number;
}

/** At most this many sections are listed: those with the most changed lines. */
export const MAX_SECTIONS = 100;
/** A section name is cut to this many characters (real menu paths are under 50). */
export const MAX_SECTION_NAME = 128;

export interface CommitStats {
  readonly stats: { readonly added: number; readonly removed: number };
  /** At most MAX_SECTIONS, in the order they appear in the file. */
  readonly sections: readonly SectionChange[];
  /** The sections beyond the cap, counted; absent when none were left out. */
  readonly sectionsOmitted?: SectionsOmitted | undefined;
  /**
   * True when the line diff gave up its search for a shortest edit script
   * (a change too large to search within its budget): the counts are those of
   * a correct edit script, every counted line really removed or added at its
   * place, but a longer search (git diff) may pair up more lines.
   */
  readonly approximate?: boolean | undefined;
}

/** A section name as listed: cut at MAX_SECTION_NAME characters, marked with `…`. */
export function sectionName(name: string): string {
  return name.length <= MAX_SECTION_NAME ? name : `${name.slice(0, MAX_SECTION_NAME - 1)}…`;
}

/**
 * The `max` sections with the most changed lines (ties: the earlier one),
 * kept in file order, and a count of the rest.
 */
export function capSections(all: readonly SectionChange[], max = MAX_SECTIONS, earlier?: SectionsOmitted): { sections: SectionChange[]; omitted: SectionsOmitted | undefined } {
  const named = (s: SectionChange) => (s.section.length <= MAX_SECTION_NAME ? s : { ...s, section: sectionName(s.section) });
  let kept: readonly SectionChange[] = all;
  let omitted: { sections: number; added: number; removed: number } | undefined = earlier ? { ...earlier } : undefined;
  if (all.length > max) {
    // The max-th largest weight by a numeric sort (300,000 sections sort in milliseconds), then ties in file order.
    const weights = Float64Array.from(all, (s) => s.added + s.removed);
    const threshold = weights.slice().sort()[all.length - max]!;
    let ties = max - weights.filter((w) => w > threshold).length;
    const keep = weights.map((w) => (w > threshold || (w === threshold && ties-- > 0) ? 1 : 0));
    kept = all.filter((_, i) => keep[i] === 1);
    omitted ??= { sections: 0, added: 0, removed: 0 };
    for (let i = 0; i < all.length; i++) {
      if (keep[i]) continue;
      omitted.sections += 1;
      omitted.added += all[i]!.added;
      omitted.removed += all[i]!.removed;
    }
  }
  return { sections: kept.map(named), omitted };
}

/**
 * The JSON fields of a commit's stats, as history entries and events carry
 * them: `stats` and `sections` always; `sections_omitted` only when the list
 * was capped; `approximate: true` only for a bounded-fallback count.
 */
export function statsFields(s: CommitStats): {
  stats: { added: number; removed: number };
  sections: SectionChange[];
  sections_omitted?: SectionsOmitted;
  approximate?: true;
} {
  const { sections, omitted } = capSections(s.sections, MAX_SECTIONS, s.sectionsOmitted);
  return {
    stats: { added: s.stats.added, removed: s.stats.removed },
    sections: sections.map((x) => ({ section: x.section, added: x.added, removed: x.removed })),
    ...(omitted && omitted.sections > 0 && { sections_omitted: omitted }),
    ...(s.approximate && { approximate: true as const }),
  };
}
