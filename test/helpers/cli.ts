import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./tmp.js";

export const BIN = path.join(REPO_ROOT, "bin/rosarchive.js");

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real executable, as an operator would. */
export function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...opts.env },
    input: opts.input ?? "",
    cwd: opts.cwd ?? REPO_ROOT,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function cliAsync(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...opts.env }, cwd: opts.cwd ?? REPO_ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A fresh age identity from `rosarchive keygen`, written to `<dir>/identity.txt`. */
export function keygen(dir: string): { identityFile: string; recipient: string; identity: string } {
  const r = cli(["keygen"]);
  if (r.code !== 0) throw new Error(`keygen failed: ${r.stderr}`);
  const recipient = /# public key: (age1\S+)/.exec(r.stdout)![1]!;
  const identity = /^(AGE-SECRET-KEY-1\S+)$/m.exec(r.stdout)![1]!;
  const identityFile = path.join(dir, "identity.txt");
  writeFileSync(identityFile, r.stdout, { mode: 0o600 });
  return { identityFile, recipient, identity };
}

/** Writes a minimal config for one tenant and returns its path. */
export function writeConfig(dir: string, p: { recipient: string; devices: Array<{ id: string; host?: string; port?: number; group?: string; extra?: string }>; tenant?: string; extra?: string; tenantExtra?: string }): string {
  const tenant = p.tenant ?? "acme";
  const devices = p.devices
    .map((d) => `      - { id: ${d.id}, host: ${d.host ?? "127.0.0.1"}${d.port ? `, port: ${d.port}` : ""}${d.group ? `, group: ${d.group}` : ""}${d.extra ? `, ${d.extra}` : ""} }`)
    .join("\n");
  const text = `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
log_level: debug
encryption:
  recipients: [${p.recipient}]
${p.extra ?? ""}
defaults:
  username: backup
  password: not-a-real-secret
tenants:
  ${tenant}:
${p.tenantExtra ?? ""}    devices:
${devices}
`;
  const file = path.join(dir, "config.yaml");
  writeFileSync(file, text);
  return file;
}
