import { commitAtOrBefore, type TenantRepo } from "../archive/index.js";
import { badParameter } from "../common/index.js";
import { decodeCursor, encodeCursor, queryKey, type SearchCursor } from "./cursor.js";
import { searchHistory, type DeviceHistoryMatches } from "./search-history.js";
import type { SearchAt } from "./search-query.js";
import { searchSnapshot, type SearchDevice, type SearchHit } from "./search-snapshot.js";

export interface SearchParams {
  /** Checked by the caller (`checkLinePattern`). */
  readonly q: string;
  readonly regex: boolean;
  readonly at: SearchAt;
  readonly group: string | null;
  readonly history: boolean;
  readonly limit: number;
  /** As the client sent it (undefined: the first page). */
  readonly cursor: unknown;
}

export interface SearchOptions {
  readonly sectionOf: (line: string) => string | null;
  /** The git process's time limit. */
  readonly timeoutMs: number;
}

interface Echo {
  readonly q: string;
  readonly regex: boolean;
  readonly group: string | null;
}

export interface SnapshotAnswer extends Echo {
  readonly history: false;
  readonly at: string;
  /** The commit whose tree was searched (every page of one search reads the same one); null before the first commit at that date. */
  readonly commit: string | null;
  readonly hits: SearchHit[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly next: string | null;
  /** True when the results were cut (more than MAX_TOTAL_HITS over all pages, or too much text): narrow the search to see the rest. */
  readonly truncated: boolean;
}

export interface HistoryAnswer extends Echo {
  readonly history: true;
  readonly devices: DeviceHistoryMatches[];
  readonly next: string | null;
  readonly truncated: boolean;
}

/** Hits a search returns over all its pages; past it the answer says `truncated`. */
export const MAX_TOTAL_HITS = 10_000;
/** Output read from git for one page. */
export const MAX_GREP_BYTES = 16 * 1024 * 1024;
/** Versions of files read for one page of a history search. */
export const HISTORY_VERSIONS_PER_PAGE = 2000;

/**
 * A search of the archived (sealed) text of a tenant's devices: one page of
 * hits at the tip of main or at a date, or (history) when matching lines
 * appeared and went. Sealed values are searched as they are archived, so a
 * secret's plaintext never matches.
 */
export async function runSearch(repo: TenantRepo, devices: readonly SearchDevice[], p: SearchParams, opts: SearchOptions): Promise<SnapshotAnswer | HistoryAnswer> {
  const inScope = p.group === null ? devices : devices.filter((d) => d.group === p.group);
  const echo: Echo = { q: p.q, regex: p.regex, group: p.group };
  const key = queryKey({ q: p.q, regex: p.regex, at: p.at.kind === "latest" ? "latest" : p.at.text, group: p.group, history: p.history });
  const cursor: SearchCursor | null = p.cursor === undefined ? null : decodeCursor(p.cursor, key);
  const kind = p.regex ? "regex" : "fixed";
  const head = await repo.paths.tip();
  const fileCommits = (path: string) => repo.paths.commitsOf(path);

  if (p.history) {
    if (p.at.kind !== "latest") throw badParameter("at", "not with history=true: a history search reads every version");
    const total = cursor?.total ?? 0;
    const page = await searchHistory(
      repo,
      { devices: inScope, fileCommits, pattern: p.q, kind, limit: p.limit, afterPath: cursor?.path ?? null, sectionOf: opts.sectionOf },
      { timeoutMs: opts.timeoutMs, versionsPerPage: HISTORY_VERSIONS_PER_PAGE, maxBytes: MAX_GREP_BYTES },
    );
    const next = page.next === null ? null : encodeCursor({ key, commit: null, path: page.next, line: 0, total: total + page.devices.length });
    return { ...echo, history: true, devices: page.devices, next, truncated: false };
  }

  // The snapshot: the cursor's (every page reads the same tree), else the tip the index reflects, else main at the date.
  const commit = cursor ? cursor.commit : p.at.kind === "latest" ? head : await commitAtOrBefore(repo, p.at.ms);
  const at = p.at.kind === "latest" ? "latest" : p.at.text;
  if (commit === null) return { ...echo, history: false, at, commit: null, hits: [], next: null, truncated: false };
  if (cursor && (await repo.readObject(commit))?.type !== "commit") throw badParameter("cursor", "names a snapshot this archive does not hold; start again without it");
  const total = cursor?.total ?? 0;
  const room = MAX_TOTAL_HITS - total;
  if (room <= 0) return { ...echo, history: false, at, commit, hits: [], next: null, truncated: true };
  const limit = Math.min(p.limit, room);
  const page = await searchSnapshot(
    repo,
    { commit, fileCommits, atHead: commit === head, devices: inScope, pattern: p.q, kind, limit, after: cursor ? { path: cursor.path, line: cursor.line } : null, sectionOf: opts.sectionOf },
    { timeoutMs: opts.timeoutMs, maxBytes: MAX_GREP_BYTES },
  );
  const returned = total + page.hits.length;
  const capped = page.next !== null && returned >= MAX_TOTAL_HITS;
  const next = page.next === null || capped ? null : encodeCursor({ key, commit, path: page.next.path, line: page.next.line, total: returned });
  return { ...echo, history: false, at, commit, hits: page.hits, next, truncated: capped || page.cut };
}
