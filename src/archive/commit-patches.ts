import { promises as fs } from "node:fs";
import path from "node:path";
import { GitPipe, type PipeParser } from "./git.js";

/**
 * A line that is not an object id: `diff-tree --stdin` echoes it and flushes,
 * which marks where each answer ends. No line of a patch can equal it (every
 * content line starts with ' ', '+', '-', '@' or '\').
 */
const END = "rosarchive-patch-end\n";
const END_BYTES = Buffer.from(END);
/** A longer patch is left to a git of its own (the pipe reads an answer of unknown length by rescanning it). */
const MAX_PATCH_BYTES = 4 * 1024 * 1024;
/** A pack added or removed less than this long ago: the next diff is answered by a fresh git instead of a new long-lived one, so a busy writer does not cost a process start per diff. */
const SETTLE_MS = 1000;

/** An idle repository's diff process ends; the next default diff starts one again. */
const IDLE_MS = 10 * 60_000;

/**
 * The patch a commit made, from one long-lived `git diff-tree --stdin -p`
 * per repository: no git process start per diff, which was most of a
 * diff's time. For a commit that changed only `filePath`, the patch is the
 * same bytes `git diff <previous version> <commit> -- <filePath>` prints
 * (the file before the commit is its previous version).
 *
 * git shortens the ids on the `index` line by what it knows of the
 * repository's objects when it starts, so the process is replaced once the
 * pack folder changed since it started: it never answers from a stale view.
 */
export class CommitPatches {
  private pipe: GitPipe | null = null;
  /** mtime (ms) of objects/pack when the running process started. */
  private stamp = -1;
  private closed = false;

  constructor(private readonly gitDir: string) {}

  /**
   * The patch, or null when this way cannot answer exactly (the commit
   * touched another file too, the path needs quoting, packs changed a
   * moment ago, the process failed): the caller asks git itself then.
   */
  async patchOf(commit: string, filePath: string): Promise<Buffer | null> {
    if (this.closed || !/^[0-9a-f]{40}$/.test(commit)) return null;
    const pipe = await this.current();
    if (!pipe) return null;
    let out: Buffer | null;
    try {
      out = await pipe.request(`${commit}\n${END}`, untilEnd);
    } catch {
      return null; // replaced or ended meanwhile
    }
    if (out === null) {
      // The rest of that long answer is still coming: this process can't be read in step any more.
      if (this.pipe === pipe) this.close(false);
      return null;
    }
    return onlyFile(out, filePath) ? out : null;
  }

  /** Starts the process ahead of the first diff (at service start, beside the object reader). */
  async warm(): Promise<void> {
    const pipe = await this.current();
    await pipe?.request(END, untilEnd).catch(() => null);
  }

  private async current(): Promise<GitPipe | null> {
    let stamp: number;
    try {
      stamp = (await fs.stat(path.join(this.gitDir, "objects", "pack"))).mtimeMs;
    } catch {
      return null;
    }
    if (this.closed) return null;
    if (this.pipe && stamp === this.stamp) return this.pipe;
    this.pipe?.close();
    this.pipe = null;
    if (Date.now() - stamp < SETTLE_MS) return null;
    this.stamp = stamp;
    this.pipe = new GitPipe(this.gitDir, ["diff-tree", "--stdin", "-p", "--root", "--no-commit-id", "--no-renames", "--no-color", "--no-ext-diff", "--no-textconv"], { idleMs: IDLE_MS });
    return this.pipe;
  }

  close(forGood = true): void {
    if (forGood) this.closed = true;
    this.pipe?.close();
    this.pipe = null;
  }
}

/** One answer: everything up to the end line (which is left out); null once it is longer than a patch read here may be. */
const untilEnd: PipeParser<Buffer | null> = (buf) => {
  const at = buf.subarray(0, END_BYTES.length).equals(END_BYTES) ? 0 : buf.indexOf(`\n${END}`);
  if (at < 0 && buf.length > MAX_PATCH_BYTES) return { value: null, used: buf.length };
  if (at < 0) return { need: buf.length + 1 };
  const end = at === 0 ? 0 : at + 1;
  return { value: Buffer.from(buf.subarray(0, end)), used: end + END_BYTES.length };
};

/** True when the patch is of `filePath` alone (a header line can only start a line; content lines are prefixed). */
function onlyFile(patch: Buffer, filePath: string): boolean {
  const header = `diff --git a/${filePath} b/${filePath}\n`;
  return patch.length > header.length && patch.toString("utf8", 0, header.length) === header && patch.indexOf("\ndiff --git ", header.length - 1) < 0;
}
