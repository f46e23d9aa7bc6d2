import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RosarchiveError } from "../common/index.js";
import { natsServerBinary, startNatsServer, type NatsServer } from "./nats-server.js";

/** bin/rosarchive.js of this installation (dist/src/cli → the package root). */
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../bin/rosarchive.js");

export interface DemoRemote {
  readonly url: string;
  /** Starts `n` `rosarchive collector` processes on the demo's own config file; resolves when each is ready. */
  startCollectors(n: number, configFile: string, env: NodeJS.ProcessEnv): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * `rosarchive demo --collectors N`: a nats-server with JetStream on a free
 * loopback port and a temp store, and N collector processes that take the
 * demo fleet's jobs (site `default`). Needs `nats-server` on PATH.
 */
export async function startDemoRemote(env: NodeJS.ProcessEnv): Promise<DemoRemote> {
  if (!natsServerBinary(env)) throw new RosarchiveError("bad_parameter", "--collectors needs nats-server on PATH (Debian: apt-get install nats-server)");
  const tmp = mkdtempSync(path.join(os.tmpdir(), "rosarchive-demo-nats-"));
  const server: NatsServer = await startNatsServer({ dir: tmp, storeDir: path.join(tmp, "jetstream") });
  const children: ChildProcess[] = [];
  return {
    url: server.url,
    async startCollectors(n, configFile, childEnv) {
      const ids: string[] = [];
      for (let i = 1; i <= n; i++) {
        const id = `demo-collector-${i}`;
        const child = spawn(process.execPath, [BIN, "collector", "-c", configFile, "--id", id, "--concurrency", "10"], { env: childEnv, stdio: ["ignore", "ignore", "pipe"] });
        children.push(child);
        await new Promise<void>((resolve, reject) => {
          let log = "";
          const timer = setTimeout(() => reject(new RosarchiveError("error", `collector ${id} did not start within 60 s: ${log.slice(-500)}`)), 60_000);
          child.stderr!.on("data", (d) => {
            log = (log + d).slice(-8192);
            if (log.includes('"event":"collector.ready"')) {
              clearTimeout(timer);
              resolve();
            }
          });
          child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new RosarchiveError("error", `collector ${id} exited with ${code}: ${log.slice(-500)}`));
          });
        });
        child.stderr!.resume();
        ids.push(id);
      }
      return ids;
    },
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once("exit", () => resolve());
              c.kill("SIGTERM");
            }),
        ),
      );
      await server.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
