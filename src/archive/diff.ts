import type { SectionsOmitted } from "./change-stats.js";
import { runGitQuickly } from "./git.js";
import { summarizeYielding } from "./summarize.js";
import type { TenantRepo } from "./tenant-repo.js";

/**
 * The JSON diff lists at most this many changed lines, and this many
 * characters of them (a 12,000-line export rewritten whole is 24,000 lines,
 * about 1 MB); `stats` always counts every line.
 */
export const MAX_DIFF_LINES = 50_000;
export const MAX_DIFF_CHARS = 8 * 1024 * 1024;

export interface StructuredDiff {
  readonly from: string;
  readonly to: string;
  readonly stats: { readonly added: number; readonly removed: number };
  readonly sections: ReadonlyArray<{ readonly section: string; readonly added: readonly string[]; readonly removed: readonly string[] }>;
  /** Present (true) when the listed lines stop at the limit: later changed lines are left out. */
  readonly truncated?: true;
  /** Present when whole sections were left out by that limit: how many, and their lines. */
  readonly sections_omitted?: SectionsOmitted;
  /** Present (true) when the counts come from the bounded diff's fallback (a correct, maybe longer, edit script). */
  readonly approximate?: true;
}

/**
 * The unified diff of one file between two commits, byte for byte as `git
 * diff FROM TO -- PATH` prints it. When `from` is the file's version just
 * before `to` (the default diff), it is the patch `to` made, read from the
 * repository's long-lived diff process when that can answer exactly.
 */
export async function unifiedDiff(repo: TenantRepo, from: string, to: string, filePath: string, opts: { readonly fromIsPrevious?: boolean } = {}): Promise<Buffer> {
  const key = `${from}:${to}:${filePath}`;
  const known = repo.diffs.get(key);
  if (known) return known;
  const patch = opts.fromIsPrevious ? await repo.patches.patchOf(to, filePath) : null;
  const out = patch ?? (await runGitQuickly({ gitDir: repo.gitDir, args: ["diff", "--no-color", "--no-ext-diff", "--no-textconv"], revs: [from, to], paths: [filePath], maxBytes: 256 * 1024 * 1024 })).stdout;
  // Only full commit ids name fixed content (a ref or a prefix could name another commit later).
  if (/^[0-9a-f]{40}$/.test(from) && /^[0-9a-f]{40}$/.test(to)) repo.diffs.set(key, out);
  return out;
}

/** Changed lines grouped by the section each stands in, taken from the whole files. */
export async function structuredDiff(repo: TenantRepo, from: string, to: string, filePath: string, sectionOf: (line: string) => string | null): Promise<StructuredDiff> {
  const [a, b] = await Promise.all([repo.readObject(`${from}:${filePath}`), repo.readObject(`${to}:${filePath}`)]);
  const before = a?.type === "blob" ? a.body.toString("utf8") : null;
  const after = b?.type === "blob" ? b.body.toString("utf8") : "";
  const s = await summarizeYielding(before, after, sectionOf);
  const listed = s.changedLines({ maxLines: MAX_DIFF_LINES, maxChars: MAX_DIFF_CHARS });
  return {
    from,
    to,
    stats: s.stats,
    sections: listed.sections.map((l) => ({ section: l.section, added: l.added, removed: l.removed })),
    ...(listed.truncated && { truncated: true as const }),
    ...(listed.omitted && { sections_omitted: listed.omitted }),
    ...(s.approximate && { approximate: true as const }),
  };
}
