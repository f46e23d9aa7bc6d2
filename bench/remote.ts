import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import PQueue from "p-queue";
import { buildContext } from "../src/cli/build-context.js";
import { freePort, natsServerBinary, startNatsServer } from "../src/cli/nats-server.js";
import { loadConfig } from "../src/config/index.js";
import { NO_EVENTS } from "../src/notify/index.js";
import { createMetrics, silentLogger } from "../src/observe/index.js";
import { runBackup } from "../src/pipeline/index.js";
import { RemoteCore } from "../src/remote/index.js";
import { RECIPIENT, ROOT, settle, type Row, tmp } from "./lib.js";

const SESSIONS = 20;

interface Spawned {
  readonly child: ChildProcess;
  readonly metricsUrl: string;
}

function spawnCollector(config: string, id: string, port: number): Promise<Spawned> {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/rosarchive.js"), "collector", "-c", config, "--id", id, "--concurrency", String(SESSIONS), "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { PATH: process.env.PATH, HOME: os.tmpdir() },
  });
  return new Promise((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`collector ${id} did not start:\n${log.slice(-2000)}`)), 60_000);
    child.stderr!.on("data", (d) => {
      log = (log + d).slice(-64 * 1024);
      if (log.includes('"event":"collector.listening"')) {
        clearTimeout(timer);
        resolve({ child, metricsUrl: `http://127.0.0.1:${port}/metrics` });
      }
    });
    child.once("exit", (code) => reject(new Error(`collector ${id} exited with ${code}:\n${log.slice(-2000)}`)));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function procCpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz on Linux)
  } catch {
    return 0;
  }
}

async function sumOver(collectors: readonly Spawned[], name: string): Promise<number> {
  let sum = 0;
  for (const c of collectors) sum += await metricSum(c.metricsUrl, name);
  return sum;
}

async function metricSum(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

/**
 * Remote collectors (NATS JetStream): N simulated routers answering after
 * `delayMs` (simulator in its own process), one nats-server, the core in this
 * process (so its CPU is what process.cpuUsage counts: jobs out, snapshots in,
 * commits; sealing happens in the collectors), and 1, 2, 4 collector
 * processes of 20 SSH sessions each. Every device is backed up once, first
 * contact (version probe and export in one answer), all jobs at once.
 */
export async function benchRemote(n: number, delayMs: number, counts: readonly number[]): Promise<Row[]> {
  if (!natsServerBinary()) {
    return [{ target: "remote collectors", value: "-", baseline: "-", ratio: "-", goal: "nats-server installed (apt-get install nats-server)", pass: false }];
  }
  const sim = spawn(process.execPath, [path.join(ROOT, "dist/bench/simulator-process.js"), String(n), String(delayMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const first = await new Promise<string>((resolve) => createInterface({ input: sim.stdout! }).once("line", resolve));
  const ports: number[] = JSON.parse(first).ports;
  const rows: Row[] = [];
  try {
    for (const k of counts) {
      rows.push(...(await oneRun(n, delayMs, k, ports, sim.pid)));
      await settle();
    }
  } finally {
    sim.stdin!.end();
  }
  return rows;
}

/** Two rounds over the same devices: first contact (every secret sealed with age), then unchanged (ciphertexts reused, no commit). */
async function oneRun(n: number, delayMs: number, k: number, ports: number[], simPid: number | undefined): Promise<Row[]> {
  const dir = tmp(`remote-${k}`);
  mkdirSync(path.join(dir, "nats"), { recursive: true });
  const nats = await startNatsServer({ dir: path.join(dir, "nats"), storeDir: path.join(dir, "nats/jetstream") });
  const lines = [
    `data_dir: ${dir}/repos`,
    `state_dir: ${dir}/state`,
    `encryption: { recipients: [${RECIPIENT}] }`,
    "schedule: { interval: 24h, connect_timeout: 30s, command_timeout: 120s }",
    `nats: { url: "${nats.url}", ack_wait: 30s, job_deadline: 10m, max_in_flight: ${n} }`,
    "defaults: { username: backup, password: bench }",
    "tenants:",
    "  acme:",
    "    devices:",
    ...ports.map((port, i) => `      - { id: d${i}, host: 127.0.0.1, port: ${port} }`),
  ];
  const configFile = path.join(dir, "config.yaml");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(configFile, lines.join("\n"));
  const config = loadConfig(lines.join("\n"), { baseDir: dir, sourcePath: configFile });
  const log = silentLogger();
  const metrics = createMetrics();
  const remote = new RemoteCore(() => config, {}, log, metrics.registry);
  await remote.start();
  const ctx = buildContext(config, {}, {
    log,
    events: NO_EVENTS,
    remote: (c) => {
      remote.attach(c);
      return remote;
    },
  });
  await ctx.secrets.indexKey();
  const collectors: Spawned[] = [];
  try {
    for (let i = 0; i < k; i++) collectors.push(await spawnCollector(configFile, `c${i}`, await freePort()));
    for (let t = 0; remote.registry.list().filter((c) => c.live).length < k; t++) {
      if (t > 600) throw new Error("collectors did not announce themselves");
      await new Promise((r) => setTimeout(r, 100));
    }
    const round = async (label: string): Promise<Row> => {
      const queue = new PQueue({ concurrency: n });
      let failed = 0;
      const bytes0 = await sumOver(collectors, "rosarchive_collector_snapshot_bytes_total");
      const ccpu0 = await sumOver(collectors, "process_cpu_seconds_total");
      const ncpu0 = procCpuSeconds(nats.pid());
      const scpu0 = procCpuSeconds(simPid);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (const device of config.tenants.get("acme")!.devices) void queue.add(() => runBackup(ctx, device, "scheduled").catch(() => void failed++));
      await queue.onIdle();
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const bytes = (await sumOver(collectors, "rosarchive_collector_snapshot_bytes_total")) - bytes0;
      const collectorCpuMs = (((await sumOver(collectors, "process_cpu_seconds_total")) - ccpu0) * 1000) / n;
      const natsCpuMs = ((procCpuSeconds(nats.pid()) - ncpu0) * 1000) / n;
      const simCpuMs = ((procCpuSeconds(simPid) - scpu0) * 1000) / n;
      const floor = (n * delayMs) / 1000 / (SESSIONS * k);
      const ratio = seconds / floor;
      const cpuMs = (cpu.user + cpu.system) / 1000 / n;
      return {
        target: `remote: ${n} devices, ${delayMs} ms/answer, ${k} collector${k > 1 ? "s" : ""} x ${SESSIONS} sessions, ${label}`,
        value: `${seconds.toFixed(1)} s; CPU/backup: core ${cpuMs.toFixed(1)} ms, collectors ${collectorCpuMs.toFixed(1)} ms, nats-server ${natsCpuMs.toFixed(1)} ms, routers ${simCpuMs.toFixed(1)} ms; stream ${(bytes / n / 1024).toFixed(1)} KiB/backup`,
        baseline: `floor ${floor.toFixed(1)} s`,
        ratio: ratio.toFixed(2),
        goal: `<= 1.5x floor, 0 failed (${failed} failed)`,
        pass: ratio <= 1.5 && failed === 0,
      };
    };
    return [await round("first contact"), await round("unchanged")];
  } finally {
    await Promise.all(
      collectors.map(
        (c) =>
          new Promise<void>((resolve) => {
            c.child.once("exit", () => resolve());
            c.child.kill("SIGTERM");
          }),
      ),
    );
    await remote.close();
    await ctx.repos.closeAll();
    await nats.stop();
  }
}
