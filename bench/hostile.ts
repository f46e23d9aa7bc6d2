import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { gitEnv } from "../src/archive/index.js";
import { percentile, RECIPIENT, ROOT, type Row, tmp } from "./lib.js";

const READ_EVERY_MS = 10;

/**
 * One router must not stall the service (the `hostile` rows): a router whose
 * 12,000-line export changes on every line, committed through a real
 * `serve` process, while another tenant reads `GET /devices` every 10 ms
 * (open loop: a request is sent on time whether or not the last one was
 * answered, so a stall shows in every request it delays). Baseline: the same
 * reads with no writer. Also the backup's and the JSON diff's own duration.
 */
export async function benchHostileChange(rounds: number): Promise<Row[]> {
  const router = spawn(process.execPath, [path.join(ROOT, "dist/bench/hostile-router-process.js")], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: router.stdout! });
  const nextLine = () => new Promise<string>((resolve) => lines.once("line", resolve));
  const { port } = JSON.parse(await nextLine()) as { port: number };
  const dir = tmp("hostile");
  const operator = randomBytes(18).toString("base64url");
  const viewer = randomBytes(18).toString("base64url");
  const sha = (t: string) => createHash("sha256").update(t).digest("hex");
  const others = Array.from({ length: 50 }, (_, i) => `      - { id: quiet-${i}, host: 10.9.0.${i + 1}, enabled: false }`);
  writeFileSync(
    path.join(dir, "config.yaml"),
    [
      "listen: 127.0.0.1:0",
      `data_dir: ${dir}/repos`,
      `state_dir: ${dir}/state`,
      "log_level: info",
      `encryption: { recipients: [${RECIPIENT}] }`,
      "schedule: { interval: 24h, command_timeout: 60s }",
      "limits: { manual_backups_per_minute: 1000 }",
      "defaults: { username: backup, password: bench }",
      "tenants:",
      "  hostile:",
      `    tokens: [{ name: op, role: operator, sha256: "${sha(operator)}" }]`,
      `    devices: [{ id: big-1, host: 127.0.0.1, port: ${port} }]`,
      "  other:",
      `    tokens: [{ name: v, role: viewer, sha256: "${sha(viewer)}" }]`,
      "    devices:",
      ...others,
      "",
    ].join("\n"),
  );
  const serve = spawn(process.execPath, [path.join(ROOT, "bin/rosarchive.js"), "serve", "-c", path.join(dir, "config.yaml")], { stdio: ["ignore", "pipe", "pipe"] });
  const url = await listeningUrl(serve, dir);
  const api = `${url}/api/v1/tenants`;
  const backup = async () => {
    const t = performance.now();
    const res = await fetch(`${api}/hostile/devices/big-1/backup`, { method: "POST", headers: { authorization: `Bearer ${operator}` } });
    const body = (await res.json()) as { commit: string; changed: boolean };
    if (res.status !== 201 || !body.changed) throw new Error(`backup answered ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t, commit: body.commit };
  };
  const flip = async () => {
    router.stdin!.write("flip\n");
    await nextLine();
  };
  const otherReads = () => openLoop(`${api}/other/devices`, { authorization: `Bearer ${viewer}` });

  try {
    let { commit } = await backup(); // the first snapshot
    const idle = otherReads();
    await new Promise((r) => setTimeout(r, 3000));
    const baseline = await idle.stop();

    const duringBackup: number[] = [];
    const backupMs: number[] = [];
    let parent = commit;
    for (let r = 0; r < rounds; r++) {
      await flip();
      const reads = otherReads();
      const b = await backup();
      duringBackup.push(...(await reads.stop()));
      backupMs.push(b.ms);
      parent = commit;
      commit = b.commit;
      await new Promise((res) => setTimeout(res, 300));
    }
    const duringDiff: number[] = [];
    const diffMs: number[] = [];
    for (let r = 0; r < 3; r++) {
      const reads = otherReads();
      const t = performance.now();
      const res = await fetch(`${api}/hostile/devices/big-1/diff?to=${commit}`, { headers: { authorization: `Bearer ${operator}`, accept: "application/json" } });
      const body = (await res.json()) as { stats: { added: number; removed: number } };
      diffMs.push(performance.now() - t);
      duringDiff.push(...(await reads.stop()));
      if (body.stats.added !== 12_000 || body.stats.removed !== 12_000) throw new Error(`JSON diff counted ${JSON.stringify(body.stats)}`);
    }
    const gitDir = path.join(dir, "repos/hostile.git");
    const gitDiffMs = timedSync(() => execFileSync("git", ["--git-dir", gitDir, "diff", parent, commit, "--", "big-1.rsc"], { env: gitEnv(), maxBuffer: 1 << 28 }));

    const p95 = (v: number[]) => percentile(v, 95);
    const med = (v: number[]) => percentile(v, 50);
    console.log(`  hostile change: ${duringBackup.length} reads during ${rounds} backups, ${duringDiff.length} during 3 JSON diffs, ${baseline.length} without a writer; max during backups ${Math.max(...duringBackup).toFixed(0)} ms`);
    return [
      {
        target: "hostile: other tenant's GET /devices p95 while a router commits 12,000 changed lines",
        value: `${p95(duringBackup).toFixed(1)} ms`,
        baseline: `no writer ${p95(baseline).toFixed(1)} ms`,
        ratio: (p95(duringBackup) / p95(baseline)).toFixed(2),
        goal: "< 100 ms",
        pass: p95(duringBackup) < 100,
      },
      {
        target: "hostile: the same reads p95 while that commit's JSON diff is served",
        value: `${p95(duringDiff).toFixed(1)} ms`,
        baseline: `no writer ${p95(baseline).toFixed(1)} ms`,
        ratio: (p95(duringDiff) / p95(baseline)).toFixed(2),
        goal: "< 100 ms",
        pass: p95(duringDiff) < 100,
      },
      { target: `hostile: backup of the 12,000-line all-changed export (median of ${rounds})`, value: `${(med(backupMs) / 1000).toFixed(2)} s`, baseline: "-", ratio: "-", goal: "< 2 s", pass: med(backupMs) < 2000 },
      {
        target: "hostile: JSON diff of that commit (median of 3)",
        value: `${med(diffMs).toFixed(0)} ms`,
        baseline: `git diff ${gitDiffMs.toFixed(0)} ms`,
        ratio: (med(diffMs) / gitDiffMs).toFixed(2),
        goal: "< 1 s",
        pass: med(diffMs) < 1000,
      },
    ];
  } finally {
    serve.kill("SIGKILL");
    router.stdin!.end();
  }
}

/** The address from serve's `serve.listening` log line. */
async function listeningUrl(serve: ChildProcess, dir: string): Promise<string> {
  let logs = "";
  serve.stdout!.on("data", (c) => (logs += c));
  serve.stderr!.on("data", (c) => (logs += c));
  for (let i = 0; i < 600; i++) {
    const m = /"event":"serve.listening".*?"url":"(http:[^"]+)"/.exec(logs);
    if (m) return m[1]!;
    if (serve.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`serve did not start (${dir}): ${logs.slice(-1000)}`);
}

/** Sends a GET every READ_EVERY_MS until stopped; the latencies of every answer. */
function openLoop(url: string, headers: Record<string, string>): { stop(): Promise<number[]> } {
  const samples: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const t = performance.now();
    const p: Promise<void> = fetch(url, { headers })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
        samples.push(performance.now() - t);
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, READ_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      return samples;
    },
  };
}

function timedSync(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}
