import { runGit } from "./git.js";
import type { TenantRepo } from "./tenant-repo.js";

const MAIN = "refs/heads/main";
const COMMIT_ID = /^[0-9a-f]{40}$/;

/** RFC 3339 in UTC, whole seconds: the form git's date parser reads exactly. */
function gitDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * The newest commit of main written at or before `ms` (git's commit time,
 * `git rev-list -1 --before=`), or null when main is younger. The date goes
 * to git re-printed from a number, never as the caller's text.
 */
export async function commitAtOrBefore(repo: TenantRepo, ms: number): Promise<string | null> {
  const r = await runGit({ gitDir: repo.gitDir, args: ["rev-list", "-1", `--before=${gitDate(ms)}`], revs: [MAIN] });
  const id = r.stdout.toString("utf8").trim();
  return COMMIT_ID.test(id) ? id : null;
}

/** Committer time of a commit, unix seconds (null when it is not a commit). */
export async function committerTime(repo: TenantRepo, commit: string): Promise<number | null> {
  const obj = await repo.readObject(commit);
  if (!obj || obj.type !== "commit") return null;
  const head = obj.body.toString("utf8", 0, Math.min(obj.body.length, 4096));
  const m = /^committer .* (\d+) [+-]\d{4}$/m.exec(head);
  return m ? Number(m[1]) : null;
}

/**
 * Of `commits` (the commits that touched `filePath`, oldest first, all on
 * main), the newest that is `at` or older than it: the commit whose version
 * of the file the tree of `at` holds. Found by commit time (main is written
 * in time order), then confirmed by the blob; should times disagree with the
 * order (a clock set back), git answers (`git log -1 at -- path`).
 */
export async function fileCommitAt(repo: TenantRepo, commits: readonly string[], filePath: string, at: string): Promise<string | null> {
  if (commits.length === 0) return null;
  const atIndex = commits.lastIndexOf(at);
  if (atIndex >= 0) return at;
  const [atTime, atBlob] = await Promise.all([committerTime(repo, at), repo.resolve(`${at}:${filePath}`)]);
  if (atTime === null || atBlob === null) return null;
  let lo = 0;
  let hi = commits.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = await committerTime(repo, commits[mid]!);
    if (t !== null && t <= atTime) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found >= 0 && (await repo.resolve(`${commits[found]}:${filePath}`)) === atBlob) return commits[found]!;
  const r = await runGit({ gitDir: repo.gitDir, args: ["log", "-1", "--format=%H", "--no-renames"], revs: [at], paths: [filePath] });
  const id = r.stdout.toString("utf8").trim();
  return COMMIT_ID.test(id) ? id : null;
}
