import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { ROOT } from "./lib.js";

/** A real `rosarchive serve` child process, its log lines (parsed) and its memory as the kernel counts it. */
export class ServeProcess {
  readonly events: Array<{ at: number; line: Record<string, unknown> }> = [];
  readonly started = performance.now();
  url = "";
  private readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((r) => child.on("exit", (code) => r(code)));
    // The service logs JSON lines to stderr; anything else there is passed on.
    createInterface({ input: child.stderr! }).on("line", (l) => {
      try {
        this.events.push({ at: performance.now(), line: JSON.parse(l) as Record<string, unknown> });
      } catch {
        process.stderr.write(`${l}\n`);
      }
    });
    child.stdout!.resume();
  }

  static async start(configFile: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<ServeProcess> {
    const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, "bin/rosarchive.js"), "serve", "-c", configFile], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const s = new ServeProcess(child);
    const listening = await s.waitFor("serve.listening", 600_000);
    s.url = String(listening.line.url);
    return s;
  }

  /** The first log line with this event (waits for it). */
  async waitFor(event: string, limitMs = 600_000): Promise<{ at: number; line: Record<string, unknown> }> {
    const deadline = performance.now() + limitMs;
    for (;;) {
      const e = this.events.find((x) => x.line.event === event);
      if (e) return e;
      if (performance.now() > deadline) throw new Error(`serve logged no ${event} in ${limitMs} ms`);
      if (this.child.exitCode !== null) throw new Error(`serve exited (${this.child.exitCode}) before ${event}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  seen(event: string): boolean {
    return this.events.some((x) => x.line.event === event);
  }

  /** Peak resident memory so far (VmHWM), MB. */
  peakRssMb(): number {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  }

  /** CPU seconds the process used so far (user + system; git children not included). */
  cpuSeconds(): number {
    const fields = readFileSync(`/proc/${this.child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  /** Resident memory now (VmRSS), MB. */
  rssMb(): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  }

  /** SIGTERM, as an operator stops it: it saves its caches and exits. */
  async stop(): Promise<number | null> {
    this.child.kill("SIGTERM");
    const late = setTimeout(() => this.child.kill("SIGKILL"), 120_000);
    const code = await this.exited;
    clearTimeout(late);
    return code;
  }
}
