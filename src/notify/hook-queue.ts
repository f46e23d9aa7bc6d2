import { promises as fs } from "node:fs";
import path from "node:path";
import { readJsonFile, writeFileAtomic } from "../store/index.js";
import { queuedFiles, SequenceClock } from "./queue-files.js";

/** One queued hook run: the event's exact bytes, and the hooks that already finished with it. */
export interface QueuedHookRun {
  readonly body: string;
  /** Hook file names (in `hooks_dir` or its `.d` folder) already run for this event. */
  readonly done: readonly string[];
}

/**
 * The durable hook queue, `state_dir/hook-queue/`: one file per event that
 * has hooks to run, written (fsynced) before the event's commit is reported
 * done, rewritten as each hook finishes, removed after the last. A file
 * left by a process that died is run again when `serve` next starts, from
 * the first hook not yet finished: every hook runs at least once per event.
 */
export class HookQueue {
  readonly dir: string;
  private readonly seq = new SequenceClock();
  private priming: Promise<void> | null = null;

  constructor(stateDir: string, private readonly clock: () => number = Date.now) {
    this.dir = path.join(stateDir, "hook-queue");
  }

  /** Names still queued, oldest first. */
  async list(): Promise<string[]> {
    return queuedFiles(this.dir);
  }

  /**
   * A name for a new entry: names sort in the order this was called (the
   * first call learns the names already queued; every caller waits for that
   * same scan, and resumes in call order).
   */
  name(eventId: string): Promise<string> {
    this.priming ??= this.list().then((names) => names.forEach((n) => this.seq.observe(n)));
    return this.priming.then(() => `${this.seq.next(this.clock())}-${eventId}.json`);
  }

  async write(name: string, body: string): Promise<void> {
    await writeFileAtomic(path.join(this.dir, name), JSON.stringify({ body, done: [] } satisfies QueuedHookRun));
  }

  /** The run, or null when it is gone (finished) or unreadable. */
  async read(name: string): Promise<QueuedHookRun | null> {
    try {
      const r = await readJsonFile<QueuedHookRun>(path.join(this.dir, name));
      return r && typeof r.body === "string" && Array.isArray(r.done) ? r : null;
    } catch {
      return null;
    }
  }

  async markDone(name: string, run: QueuedHookRun, hook: string): Promise<QueuedHookRun> {
    const next = { body: run.body, done: [...run.done, hook] };
    await writeFileAtomic(path.join(this.dir, name), JSON.stringify(next));
    return next;
  }

  async remove(name: string): Promise<void> {
    await fs.rm(path.join(this.dir, name), { force: true });
  }
}
