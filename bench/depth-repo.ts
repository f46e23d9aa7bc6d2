import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { commitMessage, gitEnv, repositoryReadme } from "../src/archive/index.js";

/**
 * A tenant repository built from outside, as a probe or a restore would
 * bring one: `git fast-import` writes `devices x commitsPerDevice` commits in
 * the documented layout (`<device>.rsc` at the root, a README first, one
 * commit per changed snapshot with the standard trailers), so the service
 * has no cache of its own and must rebuild every index from git.
 */
export interface DepthRepo {
  readonly gitDir: string;
  readonly devices: number;
  readonly commitsPerDevice: number;
  /** Seconds fast-import took (0 when an existing build was reused). */
  readonly buildS: number;
}

export const DEPTH_START = Date.parse("2023-01-01T00:00:00Z") / 1000;

/** The export of device `d` at its revision `c`: ~3 KB, one firewall rule and the note change each time. */
export function depthExport(d: number, c: number): string {
  const lines = ["# 2025-01-01 00:00:00 by RouterOS 7.16.2", "# software id = ABCD-1234", "/interface bridge", `add name=bridge-${d}`, "/ip address"];
  for (let i = 0; i < 20; i++) lines.push(`add address=10.${d % 250}.${i}.1/24 interface=ether${i % 8} network=10.${d % 250}.${i}.0`);
  lines.push("/ip firewall filter");
  for (let i = 0; i < 30; i++) lines.push(`add action=accept chain=input comment=rule-${i} dst-port=${1000 + i + (i === c % 30 ? c : 0)} protocol=tcp`);
  lines.push("/system identity", `set name=dev-${d}`, "/system note", `set note="revision ${c}"`);
  return `${lines.join("\n")}\n`;
}

/** Seconds since the epoch of device d's revision c: one device after another, a minute apart. */
export function depthTime(devices: number, d: number, c: number): number {
  return DEPTH_START + (c * devices + d) * 60;
}

function message(d: number, c: number, devices: number): string {
  const t = new Date(depthTime(devices, d, c) * 1000).toISOString().replace(".000Z", "Z");
  return commitMessage(c === 0 ? "initial snapshot" : "+1 -1 in /ip firewall filter, /system note", {
    device: `dev-${d}`,
    host: `10.0.${(d >> 8) & 255}.${d & 255}`,
    routerosVersion: "7.16.2",
    trigger: "scheduled",
    collectedAt: t,
    normalizer: 1,
  });
}

/**
 * Builds (or reuses, when `<dir>/bench.git` was completed before with the
 * same shape) the repository. fast-import reads the stream as it is made:
 * 1,000,000 commits never sit in memory at once.
 */
export async function buildDepthRepo(dir: string, devices: number, commitsPerDevice: number, log: (s: string) => void = () => {}): Promise<DepthRepo> {
  const gitDir = path.join(dir, "bench.git");
  const stamp = path.join(dir, `built-${devices}x${commitsPerDevice}`);
  if (existsSync(stamp)) return { gitDir, devices, commitsPerDevice, buildS: 0 };
  mkdirSync(dir, { recursive: true });
  const run = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const c = spawn("git", args, { env: gitEnv(), stdio: ["ignore", "ignore", "inherit"] });
      c.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`git ${args.join(" ")}: exit ${code}`))));
    });
  await run(["init", "--quiet", "--bare", "--initial-branch=main", gitDir]);
  const t0 = performance.now();
  const child = spawn("git", ["--git-dir", gitDir, "fast-import", "--quiet", "--done"], { env: gitEnv(), stdio: ["pipe", "ignore", "inherit"] });
  const closed = new Promise<void>((resolve, reject) => child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exit ${code}`)))));
  const write = (s: string) => (child.stdin.write(s) ? Promise.resolve() : new Promise<void>((r) => child.stdin.once("drain", () => r())));
  const readme = repositoryReadme("bench");
  const first = "rosarchive: initialize repository for bench\n";
  await write(`commit refs/heads/main\ncommitter rosarchive <rosarchive@localhost> ${DEPTH_START - 60} +0000\ndata ${first.length}\n${first}\nM 100644 inline README.md\ndata ${Buffer.byteLength(readme)}\n${readme}\n`);
  for (let c = 0; c < commitsPerDevice; c++) {
    let chunk = "";
    for (let d = 0; d < devices; d++) {
      const msg = message(d, c, devices);
      const body = depthExport(d, c);
      const t = depthTime(devices, d, c);
      chunk += `commit refs/heads/main\nauthor rosarchive <rosarchive@localhost> ${t} +0000\ncommitter rosarchive <rosarchive@localhost> ${t} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}\nM 100644 inline dev-${d}.rsc\ndata ${Buffer.byteLength(body)}\n${body}\n`;
    }
    await write(chunk);
    if (c % 100 === 99) log(`  depth repository: ${(c + 1) * devices} commits written (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  child.stdin.end("done\n");
  await closed;
  const buildS = (performance.now() - t0) / 1000;
  writeFileSync(stamp, `${buildS}\n`);
  return { gitDir, devices, commitsPerDevice, buildS };
}
