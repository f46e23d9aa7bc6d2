import { badParameter, RosarchiveError, type LinePatternKind } from "../common/index.js";
import { streamGit } from "./git.js";

/** One matching line as `git grep -n -z` prints it. */
export interface GrepHit {
  /** What git names the file: `<commit>:<path>` for a tree or a `rev:path`, the id for a blob. */
  readonly name: string;
  /** 1-based line number. */
  readonly line: number;
  readonly text: string;
}

export interface GrepQuery {
  /** Commits (their trees are searched), `<rev>:<path>` or blob ids. Never user text: ids and validated paths only. */
  readonly revs: readonly string[];
  /** Literal paths to search within the trees (device files); absent: whole trees. */
  readonly paths?: readonly string[];
  /** One pattern, or several meaning "any of them"; checked by the caller (`linePatternProblem`). */
  readonly patterns: readonly string[];
  readonly kind: LinePatternKind;
  /** At most this many hits per file (`--max-count`). */
  readonly maxPerFile?: number;
  readonly timeoutMs: number;
  /** Output read from git before stopping (the hits read by then are kept). */
  readonly maxBytes: number;
  /** Every hit in git's order (files in tree order, lines ascending); return true to stop git there. */
  readonly onHit: (hit: GrepHit) => boolean;
  /** The parameter the pattern came from, named when git refuses it. */
  readonly param?: string;
}

export interface GrepOutcome {
  /** git read every file: no stop, no time limit, no byte cap. */
  readonly complete: boolean;
  /** The caller stopped it (it had what it wanted). */
  readonly stopped: boolean;
  readonly timedOut: boolean;
  /** The byte cap ended it. */
  readonly cut: boolean;
}

/**
 * Stock `git grep` over trees or blobs of the archive: the archived (sealed)
 * text, never a decrypted one. The pattern goes in on stdin (`-f -`), so no
 * user text is ever an argument; paths are literal (`GIT_LITERAL_PATHSPECS`).
 * `-z` separates name, line number and text with NUL bytes, so nothing in a
 * line can be taken for a field; `-I` skips binary files. git runs the
 * regular expression in its own process under `timeoutMs`, and its output is
 * read as it comes, so a page of hits stops it early.
 */
export async function grepLines(gitDir: string, q: GrepQuery): Promise<GrepOutcome> {
  if (q.revs.length === 0) return { complete: true, stopped: false, timedOut: false, cut: false };
  let buffer: Buffer = Buffer.alloc(0);
  let bytes = 0;
  let cut = false;
  let stoppedByHit = false;
  const onData = (chunk: Buffer): boolean => {
    bytes += chunk.length;
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const end = buffer.indexOf(10, start);
      if (end < 0) break;
      const hit = parseRecord(buffer.subarray(start, end));
      start = end + 1;
      if (hit && q.onHit(hit)) {
        stoppedByHit = true;
        return true;
      }
    }
    buffer = buffer.subarray(start);
    if (bytes > q.maxBytes) {
      cut = true;
      return true;
    }
    return false;
  };
  const args = ["grep", "-n", "-z", "-I", "--no-color", q.kind === "fixed" ? "-F" : "-E", ...(q.maxPerFile ? [`--max-count=${q.maxPerFile}`] : []), "-f", "-"];
  let r;
  try {
    r = await streamGit(
      { gitDir, args, revs: q.revs, ...(q.paths && { paths: q.paths, env: { GIT_LITERAL_PATHSPECS: "1" } }), input: `${q.patterns.join("\n")}\n`, okCodes: [1], timeoutMs: q.timeoutMs },
      onData,
    );
  } catch (err) {
    // The check before git should catch every pattern git refuses; should one slip through, say so as a bad parameter.
    const stderr = err instanceof RosarchiveError ? err.message : "";
    const refused = /In '-' at \d+, '[^']*': ([^|]+)/.exec(stderr);
    if (refused) throw badParameter(q.param ?? "pattern", `git refuses this regular expression: ${refused[1]!.trim()}`);
    throw err;
  }
  return { complete: !r.stopped && !r.timedOut, stopped: stoppedByHit, timedOut: r.timedOut, cut };
}

/** `name NUL line NUL text` (the newline already removed). */
function parseRecord(rec: Buffer): GrepHit | null {
  const a = rec.indexOf(0);
  if (a < 0) return null;
  const b = rec.indexOf(0, a + 1);
  if (b < 0) return null;
  const line = Number(rec.toString("latin1", a + 1, b));
  if (!Number.isInteger(line) || line < 1) return null;
  return { name: rec.toString("utf8", 0, a), line, text: rec.toString("utf8", b + 1) };
}
