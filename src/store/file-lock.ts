import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";

export interface FileLockOptions {
  /** Give up (with an error naming the lock) after this long. */
  readonly waitMs?: number;
  /** Whether a process id is alive; a lock left by a dead process is taken over. */
  readonly isAlive?: (pid: number) => boolean;
}

/** Lock contents held by this process right now: a lock with our pid but not among these was left by an earlier process with the same pid (containers reuse pid 1). */
const held = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs `fn` while holding `lockFile`, created exclusively (O_EXCL) with this
 * process's id and a nonce. Writers in other processes (a `rosarchive
 * unblock` beside a running `serve`) wait for it. A lock whose process is gone
 * (kill -9 while holding it) is moved aside by rename and checked to be the
 * one seen, so two processes never both take over the same stale lock.
 */
export async function withFileLock<T>(lockFile: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  const mine = `${process.pid} ${randomBytes(8).toString("hex")}\n`;
  const deadline = Date.now() + (opts.waitMs ?? 30_000);
  const alive = opts.isAlive ?? processAlive;
  let wait = 1;
  for (;;) {
    held.add(mine); // before the file exists: a waiter in this process must never take it for stale
    try {
      const fh = await fs.open(lockFile, "wx", 0o600);
      try {
        await fh.writeFile(mine);
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      held.delete(mine);
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const seen = await fs.readFile(lockFile, "utf8").catch(() => null);
    const pid = seen ? Number.parseInt(seen, 10) : NaN;
    const stale = pid === process.pid ? !held.has(seen!) : !alive(pid);
    if (seen && Number.isInteger(pid) && stale) {
      await takeOverStale(lockFile, seen);
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${lockFile} is held by process ${Number.isInteger(pid) ? pid : "?"}; if no rosarchive process is running, remove it`);
    await new Promise((r) => setTimeout(r, wait));
    wait = Math.min(wait * 2, 50);
  }
  try {
    return await fn();
  } finally {
    await fs.unlink(lockFile).catch(() => undefined);
    held.delete(mine);
  }
}

async function takeOverStale(lockFile: string, seen: string): Promise<void> {
  const aside = `${lockFile}.stale-${randomBytes(6).toString("hex")}`;
  try {
    await fs.rename(lockFile, aside);
  } catch {
    return; // someone else moved or released it: try again
  }
  const moved = await fs.readFile(aside, "utf8").catch(() => null);
  if (moved !== seen) {
    // A live holder's lock was moved by mistake: put it back (fails only if yet another process took the lock since).
    await fs.link(aside, lockFile).catch(() => undefined);
  }
  await fs.unlink(aside).catch(() => undefined);
}
