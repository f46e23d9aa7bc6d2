import { commitTrailers, grepLines, runGit, sectionsOfLines, splitLines, type TenantRepo } from "../archive/index.js";
import { RosarchiveError, type LinePatternKind } from "../common/index.js";
import { MAX_HIT_TEXT, type SearchDevice } from "./search-snapshot.js";

/** When a commit happened, as the timeline shows it. */
export interface CommitMoment {
  readonly commit: string;
  /** Collected-At of the snapshot (RFC 3339). */
  readonly time: string | null;
}

/** One stretch of history during which a matching line stood in a device's file. */
export interface LineSpan {
  readonly text: string;
  /** Its section and line number in the version where it appeared. */
  readonly section: string;
  readonly line: number;
  readonly appeared: CommitMoment;
  /** The first version without it; null while it is still there. */
  readonly disappeared: CommitMoment | null;
}

export interface DeviceHistoryMatches {
  readonly device: string;
  readonly group: string | null;
  readonly path: string;
  /** Versions of the file searched, and how many there are (fewer searched: the oldest were left out). */
  readonly versions_searched: number;
  readonly versions: number;
  /** Oldest first. */
  readonly spans: LineSpan[];
  /** Present when more than MAX_SPANS spans matched: the first ones are listed. */
  readonly spans_cut?: true;
}

export interface HistorySearchRequest {
  readonly devices: readonly SearchDevice[];
  /** Commits that touched each path, oldest first (the path index). */
  readonly fileCommits: (path: string) => Promise<readonly string[]>;
  readonly pattern: string;
  readonly kind: LinePatternKind;
  /** Devices with matches wanted on this page. */
  readonly limit: number;
  /** Continue with the device files after this one (from the cursor). */
  readonly afterPath: string | null;
  readonly sectionOf: (line: string) => string | null;
}

export interface HistorySearchLimits {
  readonly timeoutMs: number;
  /** Versions (file at a commit) read per page, over all devices. */
  readonly versionsPerPage: number;
  readonly maxBytes: number;
}

export interface HistorySearchPage {
  readonly devices: DeviceHistoryMatches[];
  /** The last device file this page covered; null when it covered the rest. */
  readonly next: string | null;
}

/** Spans listed per device at most. */
export const MAX_SPANS = 100;
/** Blobs named in one git grep (its argument list stays far below the system's limit). */
const REVS_PER_GREP = 1500;

/**
 * Every version of each device's file, searched with stock `git grep` over
 * the blobs the per-path commit index names (no walk of the history per
 * request): per device, when each matching line appeared and when it went.
 * A page covers device files in path order until it has `limit` devices
 * with matches or has read `versionsPerPage` versions; a device with more
 * versions than that has its newest ones searched, and says so.
 */
export async function searchHistory(repo: TenantRepo, req: HistorySearchRequest, limits: HistorySearchLimits): Promise<HistorySearchPage> {
  const devices = [...req.devices].filter((d) => req.afterPath === null || d.path > req.afterPath).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const out: DeviceHistoryMatches[] = [];
  let budget = limits.versionsPerPage;
  let i = 0;
  let lastScanned: string | null = null;
  while (i < devices.length && out.length < req.limit && budget > 0) {
    // The next chunk: devices whose versions fit in what is left of the budget (at least one device).
    const chunk: Array<{ device: SearchDevice; commits: readonly string[]; total: number }> = [];
    let used = 0;
    while (i < devices.length) {
      const d = devices[i]!;
      const all = await req.fileCommits(d.path);
      const room = budget - used;
      if (chunk.length > 0 && all.length > room) break;
      const commits = all.length > room ? all.slice(all.length - room) : all;
      chunk.push({ device: d, commits, total: all.length });
      used += commits.length;
      i++;
      if (used >= budget) break;
    }
    budget -= used;
    const matches = await searchChunk(repo, chunk, req, limits);
    for (const m of matches) {
      lastScanned = m.path;
      if (m.spans.length > 0) out.push(m);
      if (out.length >= req.limit) break;
    }
    if (out.length >= req.limit && lastScanned !== chunk[chunk.length - 1]!.device.path) {
      // Stopped inside the chunk: the next page starts after the last device listed.
      return { devices: out, next: lastScanned };
    }
  }
  return { devices: out, next: i < devices.length ? lastScanned : null };
}

async function searchChunk(
  repo: TenantRepo,
  chunk: ReadonlyArray<{ device: SearchDevice; commits: readonly string[]; total: number }>,
  req: HistorySearchRequest,
  limits: HistorySearchLimits,
): Promise<DeviceHistoryMatches[]> {
  // The blob of each version (a removal commit has none), in one `cat-file --batch-check`.
  const specs = chunk.flatMap((c) => c.commits.map((commit) => `${commit}:${c.device.path}`));
  const blobs = specs.length ? await blobIds(repo, specs) : [];
  // Every distinct blob searched once, in a few git greps.
  const unique = [...new Set(blobs.filter((b): b is string => b !== null))];
  const linesOf = new Map<string, Map<string, number>>();
  for (let k = 0; k < unique.length; k += REVS_PER_GREP) {
    let bytes = 0;
    const outcome = await grepLines(repo.gitDir, {
      revs: unique.slice(k, k + REVS_PER_GREP),
      patterns: [req.pattern],
      kind: req.kind,
      timeoutMs: limits.timeoutMs,
      maxBytes: limits.maxBytes,
      param: "q",
      onHit: (hit) => {
        bytes += hit.text.length;
        let m = linesOf.get(hit.name);
        if (!m) linesOf.set(hit.name, (m = new Map()));
        if (!m.has(hit.text)) m.set(hit.text, hit.line);
        return false;
      },
    });
    if (outcome.timedOut) throw new RosarchiveError("timeout", `the search took longer than ${Math.round(limits.timeoutMs / 1000)} s and was stopped; narrow it (a group, a more specific pattern)`);
    if (outcome.cut) throw new RosarchiveError("payload_too_large", `the search matched more than ${limits.maxBytes} bytes of lines; narrow it (a more specific pattern)`);
  }

  const times = new Map<string, Promise<CommitMoment>>();
  const moment = (commit: string) => {
    let t = times.get(commit);
    if (!t) times.set(commit, (t = commitTrailers(repo, commit).then((tr) => ({ commit, time: tr?.["Collected-At"] ?? null }))));
    return t;
  };
  const sections = new Map<string, Promise<string[]>>();
  const sectionsOf = (blob: string) => {
    let s = sections.get(blob);
    if (!s) sections.set(blob, (s = repo.readObject(blob).then((o) => sectionsOfLines(o?.type === "blob" ? splitLines(o.body.toString("utf8")) : [], req.sectionOf))));
    return s;
  };

  const results: DeviceHistoryMatches[] = [];
  let at = 0;
  for (const c of chunk) {
    const open = new Map<string, { line: number; blob: string; commit: string }>();
    const spans: Array<{ text: string; line: number; blob: string; appeared: string; disappeared: string | null }> = [];
    for (const commit of c.commits) {
      const blob = blobs[at++] ?? null;
      const present = blob ? (linesOf.get(blob) ?? new Map<string, number>()) : new Map<string, number>();
      for (const [text, o] of open) {
        if (!present.has(text)) {
          spans.push({ text, line: o.line, blob: o.blob, appeared: o.commit, disappeared: commit });
          open.delete(text);
        }
      }
      for (const [text, line] of present) if (!open.has(text)) open.set(text, { line, blob: blob!, commit });
    }
    for (const [text, o] of open) spans.push({ text, line: o.line, blob: o.blob, appeared: o.commit, disappeared: null });
    const order = new Map(c.commits.map((commit, k) => [commit, k]));
    spans.sort((a, b) => order.get(a.appeared)! - order.get(b.appeared)! || a.line - b.line);
    const listed = spans.slice(0, MAX_SPANS);
    results.push({
      device: c.device.id,
      group: c.device.group,
      path: c.device.path,
      versions_searched: c.commits.length,
      versions: c.total,
      spans: await Promise.all(
        listed.map(async (s) => ({
          text: s.text.length > MAX_HIT_TEXT ? s.text.slice(0, MAX_HIT_TEXT) : s.text,
          section: (await sectionsOf(s.blob))[s.line - 1] ?? "",
          line: s.line,
          appeared: await moment(s.appeared),
          disappeared: s.disappeared ? await moment(s.disappeared) : null,
        })),
      ),
      ...(spans.length > MAX_SPANS && { spans_cut: true as const }),
    });
  }
  return results;
}

/** Blob id of each `<commit>:<path>`, null where the path is absent (a removal commit). */
async function blobIds(repo: TenantRepo, specs: readonly string[]): Promise<Array<string | null>> {
  const r = await runGit({ gitDir: repo.gitDir, args: ["cat-file", "--batch-check"], input: `${specs.join("\n")}\n` });
  const lines = r.stdout.toString("utf8").split("\n");
  return specs.map((_, k) => {
    const m = /^([0-9a-f]{40}) blob \d+$/.exec(lines[k] ?? "");
    return m ? m[1]! : null;
  });
}
