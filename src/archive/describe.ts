import { commitMessage, type CommitFacts } from "./commit-message.js";
import type { CommitStats } from "./history-stats.js";
import { summarizeYielding, summaryLine } from "./summarize.js";

export interface Description {
  readonly message: string;
  /** What changed, by section: recorded for history pages and carried by the event. */
  readonly stats: CommitStats;
}

/**
 * The commit message and stats of one file's change, from the previous and
 * the new content (null: the file is new, or removed). The subject is the
 * summary (`+2 -1 in /ip firewall filter`), `initial snapshot` for a first
 * file, or `facts.subject` when the caller names the change (a retirement).
 * A huge change is described in slices, other work running in between.
 */
export async function describeChange(previous: string | null, next: string | null, facts: CommitFacts & { readonly subject?: string }, sectionOf: (line: string) => string | null): Promise<Description> {
  const s = await summarizeYielding(previous, next ?? "", sectionOf);
  const subject = facts.subject ?? (previous === null ? "initial snapshot" : summaryLine(s));
  return { message: commitMessage(subject, facts), stats: { stats: s.stats, sections: s.sections, sectionsOmitted: s.sectionsOmitted, approximate: s.approximate } };
}
