import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { BIN } from "./cli.js";
import { eventually } from "./receiver.js";
import { REPO_ROOT } from "./tmp.js";

/** A real `rosarchive serve` process, as an operator runs it. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it logged so far (stdout and stderr). */
  logs(): string;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (clean stop), and wait for the exit. */
  stop(): Promise<void>;
}

export async function startServe(config: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, "serve", "-c", config], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let logs = "";
  child.stdout!.on("data", (c) => (logs += c));
  child.stderr!.on("data", (c) => (logs += c));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    const url = (await eventually((): string | undefined => {
      if (child.exitCode !== null) throw new Error(`serve exited: ${logs.slice(-2000)}`);
      return /"event":"serve.listening".*?"url":"(http:[^"]+)"/.exec(logs)?.[1];
    }, 60_000, "serve to listen"))!;
    return { child, url, logs: () => logs, kill: () => end("SIGKILL"), stop: () => end("SIGTERM") };
  } catch (err) {
    await end("SIGKILL");
    throw err;
  }
}

/** A random API token and the config line that grants it `role`. */
export function tokenFor(role: "viewer" | "operator" | "admin"): { token: string; yaml: string } {
  const token = randomBytes(24).toString("base64url");
  return { token, yaml: `{ name: ${role}-${token.slice(0, 6).toLowerCase().replace(/[^a-z0-9]/g, "x")}, role: ${role}, sha256: "${createHash("sha256").update(token).digest("hex")}" }` };
}

/**
 * Requests `url` again and again until `stop()`, recording each answer's
 * status and latency: what another client sees while something runs.
 */
export function pollWhile(url: string, headers: Record<string, string> = {}): { stop(): Promise<Array<{ status: number; ms: number; error?: string }>> } {
  const samples: Array<{ status: number; ms: number; error?: string }> = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      try {
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        samples.push({ status: res.status, ms: performance.now() - t });
      } catch (err) {
        samples.push({ status: 0, ms: performance.now() - t, error: String((err as Error & { cause?: Error }).cause ?? err) });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}
