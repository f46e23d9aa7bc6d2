import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { natsServerBinary, startNatsServer, type NatsServer, type NatsUser } from "../../src/cli/nats-server.js";
import { BIN } from "./cli.js";
import { REPO_ROOT } from "./tmp.js";
import { until } from "./wait.js";

export type { NatsServer, NatsUser };

/** True when Debian's nats-server is installed (`.ci/run` installs it). */
export function natsAvailable(): boolean {
  return natsServerBinary() !== null;
}

/**
 * A real nats-server with JetStream file storage on a free loopback port,
 * started the way test/helpers/openssh.ts starts sshd: its own temp config
 * (users with publish/subscribe allow lists when given) and store directory.
 * Stop it with `stop()`; `restart()` keeps the port and the store.
 */
export function startNats(dir: string, users?: readonly NatsUser[]): Promise<NatsServer> {
  return startNatsServer({ dir, storeDir: path.join(dir, "jetstream"), ...(users && { users }) });
}

/** The publish/subscribe allow lists a collector of `sites` needs (as README documents them). */
export function collectorPermissions(collectorId: string, sites: readonly string[], prefix = "rosarchive"): { publish: string[]; subscribe: string[] } {
  const stream = `${prefix.toUpperCase()}_JOBS`;
  return {
    publish: sites.flatMap((s) => [
      `${prefix}.snapshots.${s}`,
      `${prefix}.collectors.${s}.${collectorId}`,
      `$JS.API.CONSUMER.INFO.${stream}.jobs-${s}`,
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.jobs-${s}`,
      `$JS.ACK.${stream}.jobs-${s}.>`,
    ]),
    subscribe: [`${prefix}.inbox.${collectorId}.>`],
  };
}

/** A rosarchive process (serve or collector) with its output kept for assertions. */
export interface Proc {
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves with the first match of `re` in the output, or fails after `ms`. */
  waitFor(re: RegExp, ms: number, what?: string): Promise<RegExpExecArray>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly exited: Promise<number | null>;
}

export function spawnRosarchive(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: "1", ...env } });
  let out = "";
  child.stdout.on("data", (c) => (out += c));
  child.stderr.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => out,
    waitFor: (re, ms, what) => until(what ?? String(re), ms, () => re.exec(out) ?? undefined),
    async kill(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    exited,
  };
}
