import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { gitEnv } from "../src/archive/index.js";
import { oxidizedStore, preambleAnswers, routerExport } from "../test/helpers/source-repos.js";
import { exportFor, git, ROOT, type Row, RECIPIENT, tmp } from "./lib.js";

/**
 * `rosarchive migrate oxidized` of a history built the way Oxidized builds it
 * (its routeros model's preamble + export per file, `update /<node>` commits
 * by `Oxidized <o@example.com>`, one file per node), `versions` versions of
 * each of `nodes` nodes interleaved in time, every version a real change.
 * Baseline: `git fast-import` writing that same source history, in the same
 * run. The migration is the real CLI (extraction, normalize, seal, commit,
 * final maintenance); afterwards `git fsck --strict` must be clean.
 */
export async function benchMigrate(nodes: number, versions: number): Promise<Row[]> {
  const dir = tmp("migrate");
  const source = path.join(dir, "oxidized/devices.git");
  execFileSync("git", ["init", "--quiet", "--bare", "--initial-branch=master", source], { env: gitEnv() });

  // Each node's stored file once; a version differs in one firewall rule, as exportFor(i, k) does.
  const t0 = Date.parse("2022-01-01T00:00:00Z") / 1000;
  const base = Array.from({ length: nodes }, (_, i) => oxidizedStore(routerExport(exportFor(i, 0), "7.17.2", new Date(t0 * 1000)), preambleAnswers("7.17.2", [`node ${i}`])));
  const rule = (k: number) => `comment="rule ${k}" dst-port=${1000 + k} `;
  const commits = nodes * versions;
  const fiMs = await fastImport(source, function* () {
    for (let k = 0; k < versions; k++) {
      for (let i = 0; i < nodes; i++) {
        const body = base[i]!.replace(rule(0), rule(k));
        const when = t0 + (k * nodes + i) * 600;
        const msg = `update /d${i}`;
        yield `commit refs/heads/master\nauthor Oxidized <o@example.com> ${when} +0000\ncommitter Oxidized <o@example.com> ${when} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}\nM 100644 inline d${i}\ndata ${Buffer.byteLength(body)}\n${body}\n`;
      }
    }
    yield "done\n";
  });
  const baseline = commits / (fiMs / 1000);
  if (Number(git(source, ["rev-list", "--count", "master"]).trim()) !== commits) throw new Error("source history incomplete");

  const config = path.join(dir, "config.yaml");
  const lines = [`data_dir: ${dir}/repos`, `state_dir: ${dir}/state`, `hooks_dir: ${dir}/hooks`, `encryption: { recipients: [${RECIPIENT}] }`, "tenants:", "  acme:", "    devices:"];
  for (let i = 0; i < nodes; i++) lines.push(`      - { id: d${i}, host: 10.0.${(i >> 8) & 255}.${i & 255}, password: x }`);
  writeFileSync(config, `${lines.join("\n")}\n`);

  const t1 = performance.now();
  const out = await run(process.execPath, [path.join(ROOT, "bin/rosarchive.js"), "migrate", "oxidized", "--repo", source, "-c", config, "--json"]);
  const seconds = (performance.now() - t1) / 1000;
  const report = JSON.parse(out) as { versions: { committed: number }; seconds: number; maintenance_seconds: number };
  const archive = path.join(dir, "repos/acme.git");
  let fsck = "clean";
  try {
    execFileSync("git", ["--git-dir", archive, "fsck", "--strict", "--no-progress"], { env: gitEnv(), stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    fsck = `FAILED: ${String((err as { stderr?: Buffer }).stderr ?? err).slice(0, 200)}`;
  }
  const ours = report.versions.committed / seconds;
  return [
    {
      target: `migrate: ${commits}-commit Oxidized repository of ${nodes} nodes, commits/s (fsck --strict ${fsck})`,
      value: `${ours.toFixed(0)} (${seconds.toFixed(1)} s, of which ${report.maintenance_seconds.toFixed(1)} s final repack)`,
      baseline: `fast-import ${baseline.toFixed(0)}/s`,
      ratio: (ours / baseline).toFixed(2),
      goal: "all committed, fsck clean",
      pass: fsck === "clean" && report.versions.committed === commits,
    },
  ];
}

/** Streams a fast-import input with backpressure (the source is hundreds of megabytes); resolves with the wall time. */
function fastImport(gitDir: string, chunks: () => Generator<string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("git", ["--git-dir", gitDir, "fast-import", "--quiet", "--done"], { env: gitEnv(), stdio: ["pipe", "ignore", "inherit"] });
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`fast-import exit ${code}`))));
    const it = chunks();
    const pump = () => {
      for (let next = it.next(); !next.done; next = it.next()) if (!child.stdin.write(next.value)) return void child.stdin.once("drain", pump);
      child.stdin.end();
    };
    pump();
  });
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(args[1] ?? cmd)} exit ${code}: ${out.slice(0, 500)}`))));
  });
}
