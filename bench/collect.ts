import { RUN_TIMING } from "../src/scheduler/index.js";
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import PQueue from "p-queue";
import { loadConfig } from "../src/config/index.js";
import { silentLogger } from "../src/observe/index.js";
import { NO_EVENTS } from "../src/notify/index.js";
import { createPipelineContext, runBackup } from "../src/pipeline/index.js";
import { ROUTEROS } from "../src/routeros/index.js";
import { IN_FLIGHT_PER_SESSION } from "../src/scheduler/index.js";
import { RECIPIENT, ROOT, type Row, tmp } from "./lib.js";

/**
 * Target 5: N simulated routers in another process, each answering
 * every command after `delayMs`, archived with the default concurrency (20),
 * against the floor of that many answers at that concurrency.
 * First contact: version probe and export on one line, one answer (v7), so
 * >= 1 x delay each; the floor is n x delay / concurrency.
 */
export async function benchCollect(n: number, delayMs: number): Promise<Row[]> {
  const child = spawn(process.execPath, [path.join(ROOT, "dist/bench/simulator-process.js"), String(n), String(delayMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once("line", resolve));
  const ports: number[] = JSON.parse(first).ports;
  const dir = tmp("collect");
  const lines = [`data_dir: ${dir}/repos`, `state_dir: ${dir}/state`, `encryption: { recipients: [${RECIPIENT}] }`, "defaults: { username: backup, password: bench }", "tenants:", "  acme:", "    devices:"];
  ports.forEach((port, i) => lines.push(`      - { id: d${i}, host: 127.0.0.1, port: ${port} }`));
  const config = loadConfig(lines.join("\n"), { baseDir: dir });
  const ctx = createPipelineContext({ config: () => config, platform: ROUTEROS, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, fsync: true });
  // As the scheduler does: runs in flight bounded loosely, SSH sessions by ctx.sshSessions (the default concurrency).
  const queue = new PQueue({ concurrency: config.schedule.concurrency * IN_FLIGHT_PER_SESSION });
  let failed = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const device of config.tenants.get("acme")!.devices) {
    void queue.add(() => runBackup(ctx, device, "scheduled").catch(() => void failed++));
  }
  await queue.onIdle();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await ctx.repos.closeAll();
  child.stdin!.end();
  const cpuMs = (cpu.user + cpu.system) / 1000 / n;
  const floor = (n * delayMs) / 1000 / config.schedule.concurrency;
  return [
    {
      target: `5. collection, ${n} simulated devices, ${delayMs} ms/answer, concurrency ${config.schedule.concurrency}`,
      value: `${seconds.toFixed(1)} s (${cpuMs.toFixed(1)} ms CPU/backup)`,
      baseline: `floor ${floor.toFixed(0)} s`,
      ratio: floor > 0 ? (seconds / floor).toFixed(2) : "-",
      goal: `<= 1.15x floor, 0 failed (${failed} failed)`,
      pass: (floor === 0 || seconds <= 1.15 * floor) && failed === 0,
    },
  ];
}
