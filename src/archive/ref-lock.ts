import { appendFile, mkdir, open, readFile, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";

const ZERO = "0000000000000000000000000000000000000000";

/** `main` was not where this writer expected it, or another writer holds its lock: rebuild on the new tip. */
export class RefRaceError extends RosarchiveError {
  /** True when the lock file was held (by a live writer, or one killed less than STALE_LOCK_MS ago). */
  readonly lockHeld: boolean;
  constructor(message: string, lockHeld = false) {
    super("conflict", message);
    this.lockHeld = lockHeld;
  }
}

/** The commit a ref points to: its loose file, else its line in packed-refs, else null. */
export async function readRef(gitDir: string, ref: string): Promise<string | null> {
  try {
    const text = (await readFile(path.join(gitDir, ref), "utf8")).trim();
    if (!/^[0-9a-f]{40}$/.test(text)) throw new RosarchiveError("error", `${ref} in ${gitDir} does not hold a commit id`);
    return text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  let packed: string;
  try {
    packed = await readFile(path.join(gitDir, "packed-refs"), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  for (const line of packed.split("\n")) if (line.endsWith(` ${ref}`) && !line.startsWith("#")) return line.slice(0, 40);
  return null;
}

export interface RefLogEntry {
  readonly name: string;
  readonly email: string;
  /** Unix seconds. */
  readonly time: number;
  readonly message: string;
}

/**
 * Compare-and-swap of a branch with git's own protocol for loose refs:
 * `<ref>.lock` is created exclusively, the ref is checked against `expected`,
 * the new id is written to the lock, the reflog lines are appended (the
 * branch's and HEAD's, as `git update-ref` does), and the lock is renamed
 * over the ref. Git commands and other rosarchive processes take the same
 * lock, so two writers exclude each other and neither loses a commit.
 *
 * A handful of small metadata calls (no fsync, like git's default for refs),
 * in-process rather than through `git update-ref`. Not synchronous: on a
 * disk busy with pack fsyncs, creating the lock file alone sometimes took
 * 5-15 ms, and every other request waited for it.
 */
export async function compareAndSwapRef(gitDir: string, ref: string, next: string, expected: string | null, log: RefLogEntry): Promise<void> {
  const file = path.join(gitDir, ref);
  const lock = `${file}.lock`;
  // Read before the lock is taken: the fewer steps inside it, the less often a killed writer leaves it behind.
  const logHead = (await headTarget(gitDir)) === ref;
  let fd: FileHandle | null;
  try {
    fd = await open(lock, "wx", 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    // A writer holds a ref lock for a millisecond or so; one this old was left by a killed process
    // (git leaves it too). Taking it over keeps a kill -9 from stopping the tenant's commits for good.
    if (!(await removeStaleLock(lock, log.time * 1000))) throw new RefRaceError(`cannot lock ref '${ref}': '${lock}' exists (another writer holds it)`, true);
    try {
      fd = await open(lock, "wx", 0o644);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === "EEXIST") throw new RefRaceError(`cannot lock ref '${ref}': '${lock}' exists (another writer holds it)`, true);
      throw again;
    }
  }
  let done = false;
  try {
    const current = await readRef(gitDir, ref);
    if (current !== expected) throw new RefRaceError(`cannot lock ref '${ref}': is at ${current ?? "nothing"} but expected ${expected ?? "nothing"}`);
    await fd.write(`${next}\n`);
    await fd.close();
    fd = null;
    const line = `${expected ?? ZERO} ${next} ${log.name} <${log.email}> ${log.time} +0000\t${log.message}\n`;
    await Promise.all([appendLog(gitDir, ref, line), logHead && appendLog(gitDir, "HEAD", line)]);
    await rename(lock, file);
    done = true;
  } finally {
    if (fd !== null) await fd.close();
    if (!done) {
      try {
        await unlink(lock);
      } catch {
        /* already gone */
      }
    }
  }
}

/** A ref lock older than this was left by a killed writer (a live one holds it for about a millisecond). */
export const STALE_LOCK_MS = 10_000;

/** Removes `lock` when it is older than STALE_LOCK_MS at `nowMs`; true when it is gone (removed, or already). */
async function removeStaleLock(lock: string, nowMs: number): Promise<boolean> {
  try {
    if (nowMs - (await stat(lock)).mtimeMs < STALE_LOCK_MS) return false;
    await unlink(lock);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT";
  }
}

async function appendLog(gitDir: string, ref: string, line: string): Promise<void> {
  const file = path.join(gitDir, "logs", ref);
  try {
    await appendFile(file, line);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, line);
  }
}

async function headTarget(gitDir: string): Promise<string | null> {
  try {
    const m = /^ref: (\S+)/.exec(await readFile(path.join(gitDir, "HEAD"), "utf8"));
    return m ? m[1]! : null;
  } catch {
    return null;
  }
}
