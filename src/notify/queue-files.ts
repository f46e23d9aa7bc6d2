import { promises as fs } from "node:fs";

/**
 * The on-disk queues of notify (webhook deliveries, hook runs) are folders of
 * JSON files whose names sort in the order they were queued.
 */

/** Sortable, monotonic file names so a queue replays in the order it was written. */
export class SequenceClock {
  private last = 0;
  next(now: number): string {
    this.last = Math.max(this.last + 1, now * 1000);
    return String(this.last).padStart(20, "0");
  }
  /** After a restart, new entries must sort after the ones still waiting. */
  observe(name: string): void {
    const n = Number(name.slice(0, 20));
    if (Number.isFinite(n)) this.last = Math.max(this.last, n);
  }
}

/** A folder's entries, or none when it does not exist (yet). */
export async function readdirSafe(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch {
    return [];
  }
}

/** The queued entries of one queue folder, oldest first (temp files of atomic writes left out). */
export async function queuedFiles(dir: string): Promise<string[]> {
  return (await readdirSafe(dir)).filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort();
}
