import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, type Config } from "../src/config/index.js";
import { gitEnv } from "../src/archive/index.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURE = readFileSync(path.join(ROOT, "test/fixtures/routeros/v7.17.2-chr-verbose-sensitive.rsc"), "utf8");
/** A throwaway recipient: benchmarks never decrypt. */
export const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

export function tmp(prefix: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), `rosarchive-bench-${prefix}-`));
  process.on("exit", () => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A ~20 KB export, distinct per device (identity, addresses), as a router would print it. */
export function exportFor(i: number, change = 0): string {
  return `${FIXTURE.replace(/\r\n/g, "\n")}\n/system identity\nset name=router-${i}\n/ip firewall filter\nadd action=accept chain=input comment="rule ${change}" dst-port=${1000 + change} protocol=tcp\n`;
}

export function benchConfig(dir: string, devices: number): Config {
  const lines = [`data_dir: ${dir}/repos`, `state_dir: ${dir}/state`, `encryption: { recipients: [${RECIPIENT}] }`, "tenants:", "  acme:", "    devices:"];
  for (let i = 0; i < devices; i++) lines.push(`      - { id: d${i}, host: 10.0.${(i >> 8) & 255}.${i & 255}, password: x }`);
  return loadConfig(lines.join("\n"), { baseDir: dir });
}

export function git(gitDir: string, args: string[], input?: string): string {
  return execFileSync("git", ["--git-dir", gitDir, ...args], { env: gitEnv(), input, encoding: "utf8", maxBuffer: 1 << 30 });
}

/** Feeds a fast-import stream; resolves with the wall time. */
export function fastImport(gitDir: string, stream: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("git", ["--git-dir", gitDir, "fast-import", "--quiet", "--done"], { env: gitEnv(), stdio: ["pipe", "ignore", "inherit"] });
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`fast-import exit ${code}`))));
    child.stdin.end(stream);
  });
}

export interface Row {
  target: string;
  value: string;
  baseline: string;
  ratio: string;
  goal: string;
  pass: boolean;
}

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  const head = ["target", "rosarchive", "baseline", "ratio", "goal", ""];
  const data = rows.map((r) => [r.target, r.value, r.baseline, r.ratio, r.goal, r.pass ? "PASS" : "MISS"]);
  const widths = head.map((h, i) => Math.max(h.length, ...data.map((d) => d[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const d of data) console.log(line(d));
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Runs fn(0..count-1) with at most `width` in flight. */
export async function inParallel(count: number, width: number, fn: (k: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/**
 * Between phases: flush the previous phase's dirty pages and let its
 * background git work end, so a phase is not timed against another's
 * writeback (the memory phase leaves gigabytes to write).
 */
export async function settle(): Promise<void> {
  execFileSync("sync");
  await new Promise((r) => setTimeout(r, 2000));
}

/**
 * 12,000 address-list lines over four menus, every one of them different for
 * each `version`: the change a v6 to v7 upgrade of a large router, or a
 * hostile one, makes.
 */
export function hostileExport(version: number): string {
  const lines = ["# 2025-01-02 03:04:05 by RouterOS 7.17.2", "# software id = BNCH-0001", "#"];
  for (let m = 0; m < 4; m++) {
    lines.push("/ip firewall address-list");
    for (let i = 0; i < 3000; i++) lines.push(`add address=10.${m}.${i >> 8}.${i & 255} comment=v${version}-${m}-${i} list=blocked-${m}`);
  }
  return `${lines.join("\n")}\n`;
}
