import { runGitQuickly } from "./git.js";
import { summarize } from "./summarize.js";
import type { TenantRepo } from "./tenant-repo.js";

export interface StructuredDiff {
  readonly from: string;
  readonly to: string;
  readonly stats: { readonly added: number; readonly removed: number };
  readonly sections: ReadonlyArray<{ readonly section: string; readonly added: readonly string[]; readonly removed: readonly string[] }>;
}

/** The unified diff of one file between two commits, byte for byte as `git diff FROM TO -- PATH` prints it. */
export async function unifiedDiff(repo: TenantRepo, from: string, to: string, filePath: string): Promise<Buffer> {
  const key = `${from}:${to}:${filePath}`;
  const known = repo.diffs.get(key);
  if (known) return known;
  const r = await runGitQuickly({ gitDir: repo.gitDir, args: ["diff", "--no-color", "--no-ext-diff", "--no-textconv"], revs: [from, to], paths: [filePath], maxBytes: 256 * 1024 * 1024 });
  // Only full commit ids name fixed content (a ref or a prefix could name another commit later).
  if (/^[0-9a-f]{40}$/.test(from) && /^[0-9a-f]{40}$/.test(to)) repo.diffs.set(key, r.stdout);
  return r.stdout;
}

/** Changed lines grouped by the section each stands in, taken from the whole files (SPEC §8). */
export async function structuredDiff(repo: TenantRepo, from: string, to: string, filePath: string, sectionOf: (line: string) => string | null): Promise<StructuredDiff> {
  const [a, b] = await Promise.all([repo.readObject(`${from}:${filePath}`), repo.readObject(`${to}:${filePath}`)]);
  const before = a?.type === "blob" ? a.body.toString("utf8") : null;
  const after = b?.type === "blob" ? b.body.toString("utf8") : "";
  const s = summarize(before, after, sectionOf);
  return { from, to, stats: s.stats, sections: s.lines.map((l) => ({ section: l.section, added: l.added, removed: l.removed })) };
}
