import { spawn } from "node:child_process";
import { promises as fs, constants as fsc } from "node:fs";
import path from "node:path";
import PQueue from "p-queue";
import type { Config } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import type { RosarchiveEvent } from "./events.js";
import { HookQueue } from "./hook-queue.js";

export interface HookRunnerOptions {
  /** The live config: `hooks_dir`, `data_dir` and `limits.hook_timeout` are read at each run (a reload applies). */
  readonly config: () => Config;
  /** Where the durable queue lives (`<state_dir>/hook-queue`). */
  readonly stateDir: string;
  /** HOME given to hooks (the service's own, from its environment). */
  readonly home: string;
  readonly log: Logger;
  readonly onResult?: (result: "ok" | "failed" | "timeout") => void;
  /** Events whose hooks run at once, whole process (each event's hooks run one after another). */
  readonly concurrency?: number;
  /** How long output is still read after a hook exits (a child it left may hold its stdout). */
  readonly drainMs?: number;
  readonly clock?: () => number;
}

/** Output after the hook's exit is read this long, then the pipes are closed. */
export const HOOK_DRAIN_MS = 1000;

/** `<hooks_dir>/<event>` and every executable in `<hooks_dir>/<event>.d/`, in name order. */
export async function findHooks(hooksDir: string, event: string): Promise<string[]> {
  const found: string[] = [];
  const isExec = async (p: string) => {
    try {
      const st = await fs.stat(p);
      if (!st.isFile()) return false;
      await fs.access(p, fsc.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const single = path.join(hooksDir, event);
  if (await isExec(single)) found.push(single);
  try {
    const dir = path.join(hooksDir, `${event}.d`);
    for (const name of (await fs.readdir(dir)).sort()) {
      if (!name.startsWith(".") && (await isExec(path.join(dir, name)))) found.push(path.join(dir, name));
    }
  } catch {
    /* no .d folder */
  }
  return found;
}

/**
 * Hooks: the event JSON on stdin, a minimal environment (never the
 * service's own, which holds device passwords and webhook secrets), a time
 * limit, output to the log. Runs are queued durably (`HookQueue`) before the
 * commit is reported done, and run off the collection path, so a hanging
 * hook never stalls backups (Oxidized #3056), and a restart runs what was
 * queued.
 *
 * A run ends when the hook exits, plus at most `drainMs` of reading its
 * output: a child it leaves behind (a daemon, an ssh ControlPersist master)
 * may hold its stdout open for hours, and must not hold up later hooks. Such
 * a child is left alone; at the time limit the whole process group is
 * killed.
 */
export class HookRunner {
  private readonly queue: PQueue;
  readonly store: HookQueue;
  /** Entries queued or running in this process (never two runs of one entry at once). */
  private readonly active = new Set<string>();

  constructor(private readonly opts: HookRunnerOptions) {
    this.queue = new PQueue({ concurrency: opts.concurrency ?? 2 });
    this.store = new HookQueue(opts.stateDir, opts.clock);
  }

  /**
   * Queues the hooks of `event` durably; resolves once the entry is on disk,
   * with its name (null when no hook is installed for the event). `run` it
   * after.
   */
  async enqueue(event: RosarchiveEvent, body: string): Promise<string | null> {
    // Named before any await, so entries sort in the order events were emitted.
    const [name, hooks] = await Promise.all([this.store.name(event.id), findHooks(this.opts.config().hooksDir, event.event)]);
    if (hooks.length === 0) return null;
    await this.store.write(name, body);
    return name;
  }

  /** Runs a queued entry (in the background; `idle` waits for it). */
  run(name: string): void {
    if (this.active.has(name)) return;
    this.active.add(name);
    void this.queue.add(() => this.runEntry(name).finally(() => this.active.delete(name)));
  }

  /** At start: runs everything a previous process left queued, oldest first. */
  async resume(): Promise<number> {
    const names = await this.store.list();
    for (const name of names) this.run(name);
    if (names.length > 0) this.opts.log.info({ event: "hook.resumed", queued: names.length });
    return names.length;
  }

  private async runEntry(name: string): Promise<void> {
    let entry = await this.store.read(name);
    let event: RosarchiveEvent | null = null;
    try {
      event = entry ? (JSON.parse(entry.body) as RosarchiveEvent) : null;
    } catch {
      event = null;
    }
    if (!entry || !event || typeof event.event !== "string") {
      this.opts.log.warn({ event: "hook.dropped", entry: name, reason: "unreadable hook queue entry" });
      await this.store.remove(name);
      return;
    }
    const { hooksDir } = this.opts.config();
    for (const hook of await findHooks(hooksDir, event.event)) {
      const id = path.relative(hooksDir, hook);
      if (entry.done.includes(id)) continue;
      await this.runOne(hook, event, entry.body);
      entry = await this.store.markDone(name, entry, id);
    }
    await this.store.remove(name);
  }

  private runOne(hook: string, event: RosarchiveEvent, body: string): Promise<void> {
    const config = this.opts.config();
    const env: NodeJS.ProcessEnv = {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: this.opts.home,
      LANG: "C.UTF-8",
      ROSARCHIVE_EVENT: event.event,
      ROSARCHIVE_TENANT: event.tenant,
      ROSARCHIVE_DEVICE: "device" in event ? event.device : "",
      ROSARCHIVE_COMMIT: "commit" in event ? event.commit : "",
      ROSARCHIVE_REPO: path.join(config.dataDir, `${event.tenant}.git`),
    };
    const started = Date.now();
    const drainMs = this.opts.drainMs ?? HOOK_DRAIN_MS;
    return new Promise((resolve) => {
      // Its own process group (detached), so the time limit can kill everything it started.
      const child = spawn(hook, [], { env, cwd: config.hooksDir, stdio: ["pipe", "pipe", "pipe"], detached: true });
      let output = "";
      const keep = (c: Buffer) => {
        if (output.length < 4096) output += c.toString("utf8");
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      let timedOut = false;
      let drain: NodeJS.Timeout | null = null;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, "SIGKILL"); // the hook and anything it started
        } catch {
          child.kill("SIGKILL");
        }
      }, config.limits.hookTimeoutMs);
      child.stdin.on("error", () => {});
      child.stdin.end(body);
      let finished = false;
      const done = (code: number | null, err?: Error) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (drain) clearTimeout(drain);
        // Stop reading: whatever still holds the pipes no longer holds this run.
        child.stdout.destroy();
        child.stderr.destroy();
        const result = timedOut ? "timeout" : code === 0 && !err ? "ok" : "failed";
        this.opts.onResult?.(result);
        const line = { event: "hook.run", hook: path.basename(hook), tenant: event.tenant, device: "device" in event ? event.device : undefined, result, code, ms: Date.now() - started, output: output.trim().slice(0, 2000) };
        if (result === "ok") this.opts.log.info(line);
        else this.opts.log.warn({ ...line, msg: err?.message });
        resolve();
      };
      child.on("error", (err) => done(null, err));
      // Exit, then the rest of the output: until the pipes close, or drainMs at most.
      child.on("exit", (code) => {
        drain = setTimeout(() => done(code), drainMs);
        child.once("close", () => done(code));
      });
    });
  }

  async idle(): Promise<void> {
    await this.queue.onIdle();
  }
}
