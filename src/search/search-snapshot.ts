import { fileCommitAt, grepLines, type TenantRepo } from "../archive/index.js";
import { RosarchiveError, type LinePatternKind } from "../common/index.js";
import { SectionMarks, SectionMarksCache } from "./section-marks.js";

/** A device as the search sees it: its file in the tenant repository. */
export interface SearchDevice {
  readonly id: string;
  readonly group: string | null;
  readonly path: string;
}

/** One matching line of one device's archived (sealed) file. */
export interface SearchHit {
  readonly device: string;
  readonly group: string | null;
  readonly path: string;
  /** The device's snapshot holding this version of the file (for its timeline and `config?at=`). */
  readonly commit: string;
  readonly line: number;
  /** The `/menu` path the line stands in, taken from the whole file. */
  readonly section: string;
  readonly text: string;
  /** Present when `text` was cut at MAX_HIT_TEXT characters. */
  readonly text_cut?: true;
}

export interface SnapshotSearchLimits {
  /** The git process's time limit (`limits.search_timeout`). */
  readonly timeoutMs: number;
  /** Output read from git per page. */
  readonly maxBytes: number;
}

export interface SnapshotSearchRequest {
  /** The commit whose tree is searched. */
  readonly commit: string;
  /** Commits that touched each path, oldest first, up to at least `commit` (the path index). */
  readonly fileCommits: (path: string) => Promise<readonly string[]>;
  /** True when `commit` is the index's head: a file's last commit is then its snapshot here. */
  readonly atHead: boolean;
  readonly devices: readonly SearchDevice[];
  readonly pattern: string;
  readonly kind: LinePatternKind;
  /** Hits wanted (the page size). */
  readonly limit: number;
  /** Continue after this position (from the cursor). */
  readonly after: { readonly path: string; readonly line: number } | null;
  readonly sectionOf: (line: string) => string | null;
}

export interface SnapshotSearchPage {
  readonly hits: SearchHit[];
  /** Where the next page starts, null when this page reached the end. */
  readonly next: { readonly path: string; readonly line: number } | null;
  /** The byte cap stopped git before the page was complete: `next` still continues from the last hit read. */
  readonly cut: boolean;
}

/** Per repository: section marks of the blobs searched last. */
const marksOf = new WeakMap<TenantRepo, SectionMarksCache>();

/** A hit's text is cut here (a sealed value makes lines long, a hostile device longer). */
export const MAX_HIT_TEXT = 2000;

/**
 * One page of hits in the tree of one commit: stock `git grep` over the
 * device files, in tree order, stopped as soon as one hit more than the page
 * is read (that one only says there is a next page). Each hit's section
 * comes from the whole file at that commit, as history sections do.
 */
export async function searchSnapshot(repo: TenantRepo, req: SnapshotSearchRequest, limits: SnapshotSearchLimits): Promise<SnapshotSearchPage> {
  const byPath = new Map(req.devices.map((d) => [d.path, d]));
  const after = req.after;
  // Byte order of the path is git's tree order, the order git grep prints files in.
  const paths = [...byPath.keys()].filter((p) => !after || p >= after.path).sort();
  const prefix = `${req.commit}:`;
  const found: Array<{ path: string; line: number; text: string }> = [];
  const outcome = await grepLines(repo.gitDir, {
    revs: [req.commit],
    paths,
    patterns: [req.pattern],
    kind: req.kind,
    timeoutMs: limits.timeoutMs,
    maxBytes: limits.maxBytes,
    param: "q",
    onHit: (hit) => {
      if (!hit.name.startsWith(prefix)) return false;
      const path = hit.name.slice(prefix.length);
      if (!byPath.has(path) || (after && path === after.path && hit.line <= after.line)) return false;
      found.push({ path, line: hit.line, text: hit.text });
      return found.length > req.limit;
    },
  });
  if (outcome.timedOut) {
    throw new RosarchiveError("timeout", `the search took longer than ${Math.round(limits.timeoutMs / 1000)} s and was stopped; narrow it (a group, a more specific pattern)`);
  }
  const page = found.slice(0, req.limit);
  const last = page[page.length - 1];
  const more = found.length > req.limit || (outcome.cut && last !== undefined);
  const next = more && last ? { path: last.path, line: last.line } : null;

  let cache = marksOf.get(repo);
  if (!cache) marksOf.set(repo, (cache = new SectionMarksCache()));
  const marksCache = cache;
  // At the writer's own tip the blob ids are in memory: a blob searched before needs no read.
  const knownBlob = req.commit === repo.tip ? (path: string) => repo.blobAt(path) : async () => null;
  const files = new Map<string, Promise<{ sections: SectionMarks; commit: string }>>();
  const fileFacts = (path: string) => {
    let f = files.get(path);
    if (!f) {
      f = (async () => {
        const id = await knownBlob(path).catch(() => null);
        let sections = id ? marksCache.get(id) : undefined;
        if (!sections) {
          const blob = await repo.readObject(id ?? `${req.commit}:${path}`);
          sections = SectionMarks.of(blob?.type === "blob" ? blob.body.toString("utf8") : "", req.sectionOf);
          if (blob?.type === "blob") marksCache.set(blob.id, sections);
        }
        const commits = await req.fileCommits(path);
        const commit = (req.atHead ? commits[commits.length - 1] : await fileCommitAt(repo, commits, path, req.commit)) ?? req.commit;
        return { sections, commit };
      })();
      files.set(path, f);
    }
    return f;
  };
  const hits = await Promise.all(
    page.map(async (h) => {
      const d = byPath.get(h.path)!;
      const facts = await fileFacts(h.path);
      const cutText = h.text.length > MAX_HIT_TEXT;
      return {
        device: d.id,
        group: d.group,
        path: h.path,
        commit: facts.commit,
        line: h.line,
        section: facts.sections.at(h.line),
        text: cutText ? h.text.slice(0, MAX_HIT_TEXT) : h.text,
        ...(cutText && { text_cut: true as const }),
      };
    }),
  );
  return { hits, next, cut: outcome.cut };
}
