import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

/** Debian's `nats-server` (package nats-server), or the first on PATH. */
export function natsServerBinary(env: NodeJS.ProcessEnv = {}): string | null {
  if (existsSync("/usr/sbin/nats-server")) return "/usr/sbin/nats-server";
  const r = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8", env: { PATH: env.PATH ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin" } });
  const found = r.status === 0 ? r.stdout.trim() : "";
  return found || null;
}

/** A NATS user with publish/subscribe allow lists (nats-server `authorization.users`). */
export interface NatsUser {
  readonly user: string;
  readonly password: string;
  readonly publish?: readonly string[];
  readonly subscribe?: readonly string[];
}

export interface NatsServerOptions {
  /** JetStream file store (kept across restarts of this server). */
  readonly storeDir: string;
  /** Where the generated config and the log go. */
  readonly dir: string;
  readonly port?: number;
  /** Without users the server takes anonymous clients. */
  readonly users?: readonly NatsUser[];
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** The running server's process id (benchmarks read its CPU time). */
  pid(): number | undefined;
  /** Everything the server logged so far (bounded). */
  log(): string;
  /** Stops (SIGTERM) and starts again on the same port and store. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const quote = (s: string) => JSON.stringify(s);

function configText(o: NatsServerOptions, port: number): string {
  const lines = [`listen: 127.0.0.1:${port}`, `jetstream { store_dir: ${quote(o.storeDir)}, max_memory_store: 64MB, max_file_store: 4GB }`, "max_payload: 8MB"];
  if (o.users && o.users.length > 0) {
    lines.push("authorization {", "  users = [");
    for (const u of o.users) {
      const perms: string[] = [];
      if (u.publish) perms.push(`publish: { allow: [${u.publish.map(quote).join(", ")}] }`);
      if (u.subscribe) perms.push(`subscribe: { allow: [${u.subscribe.map(quote).join(", ")}] }`);
      lines.push(`    { user: ${quote(u.user)}, password: ${quote(u.password)}${perms.length ? `, permissions: { ${perms.join(", ")} }` : ""} }`);
    }
    lines.push("  ]", "}");
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A real nats-server with JetStream (file storage) on a loopback port, from a
 * generated config file. Resolves once it accepts clients.
 */
export async function startNatsServer(o: NatsServerOptions): Promise<NatsServer> {
  const bin = natsServerBinary();
  if (!bin) throw new Error("nats-server is not installed (Debian: apt-get install nats-server)");
  mkdirSync(o.dir, { recursive: true });
  mkdirSync(o.storeDir, { recursive: true });
  const port = o.port ?? (await freePort());
  const conf = path.join(o.dir, "nats-server.conf");
  writeFileSync(conf, configText(o, port), { mode: 0o600 });
  let log = "";
  let child: ChildProcess = await spawnServer(bin, conf, port, (t) => {
    if (log.length < 256 * 1024) log += t;
  });
  const stopWith = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill(signal);
    });
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir: o.storeDir,
    pid: () => child.pid,
    log: () => log,
    async restart() {
      await stopWith("SIGTERM");
      child = await spawnServer(bin, conf, port, (t) => {
        if (log.length < 256 * 1024) log += t;
      });
    },
    stop: () => stopWith("SIGTERM"),
    kill: () => stopWith("SIGKILL"),
  };
}

function spawnServer(bin: string, conf: string, port: number, onLog: (t: string) => void): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    let seen = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`nats-server did not start within 30 s:\n${seen.slice(-4000)}`));
    }, 30_000);
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => {
      onLog(d);
      if (seen.length < 64 * 1024) seen += d;
      if (seen.includes("Server is ready")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code} on port ${port}:\n${seen.slice(-4000)}`));
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
