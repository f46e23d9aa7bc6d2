import { spawn } from "node:child_process";
import { promises as fs, constants as fsc } from "node:fs";
import path from "node:path";
import PQueue from "p-queue";
import type { Logger } from "../observe/index.js";
import type { RosarchiveEvent } from "./events.js";

export interface HookRunnerOptions {
  readonly hooksDir: string;
  readonly dataDir: string;
  readonly timeoutMs: number;
  /** HOME given to hooks (the service's own, from its environment). */
  readonly home: string;
  readonly log: Logger;
  readonly onResult?: (result: "ok" | "failed" | "timeout") => void;
  /** Hooks running at once, whole process. */
  readonly concurrency?: number;
}

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
 * SPEC §9 hooks: the event JSON on stdin, a minimal environment (never the
 * service's own, which holds device passwords and webhook secrets), a time
 * limit, output to the log. Runs off the collection path in its own queue, so
 * a hanging hook never stalls backups (Oxidized #3056).
 */
export class HookRunner {
  private readonly queue: PQueue;
  constructor(private readonly opts: HookRunnerOptions) {
    this.queue = new PQueue({ concurrency: opts.concurrency ?? 2 });
  }

  run(event: RosarchiveEvent, body: string): void {
    void this.queue.add(async () => {
      const hooks = await findHooks(this.opts.hooksDir, event.event);
      for (const hook of hooks) await this.runOne(hook, event, body);
    });
  }

  private runOne(hook: string, event: RosarchiveEvent, body: string): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: this.opts.home,
      LANG: "C.UTF-8",
      ROSARCHIVE_EVENT: event.event,
      ROSARCHIVE_TENANT: event.tenant,
      ROSARCHIVE_DEVICE: "device" in event ? event.device : "",
      ROSARCHIVE_COMMIT: "commit" in event ? event.commit : "",
      ROSARCHIVE_REPO: path.join(this.opts.dataDir, `${event.tenant}.git`),
    };
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn(hook, [], { env, cwd: this.opts.hooksDir, stdio: ["pipe", "pipe", "pipe"], detached: true });
      let output = "";
      const keep = (c: Buffer) => {
        if (output.length < 4096) output += c.toString("utf8");
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, "SIGKILL"); // the hook and anything it started
        } catch {
          child.kill("SIGKILL");
        }
      }, this.opts.timeoutMs);
      child.stdin.on("error", () => {});
      child.stdin.end(body);
      const done = (code: number | null, err?: Error) => {
        clearTimeout(timer);
        const result = timedOut ? "timeout" : code === 0 && !err ? "ok" : "failed";
        this.opts.onResult?.(result);
        const line = { event: "hook.run", hook: path.basename(hook), tenant: event.tenant, device: "device" in event ? event.device : undefined, result, code, ms: Date.now() - started, output: output.trim().slice(0, 2000) };
        if (result === "ok") this.opts.log.info(line);
        else this.opts.log.warn({ ...line, msg: err?.message });
        resolve();
      };
      child.on("error", (err) => done(null, err));
      child.on("close", (code) => done(code));
    });
  }

  async idle(): Promise<void> {
    await this.queue.onIdle();
  }
}
