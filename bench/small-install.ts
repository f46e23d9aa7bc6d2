import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { INITIAL_STATE } from "../src/store/index.js";
import { startSshd, sshdAvailable } from "../test/helpers/openssh.js";
import { percentile, RECIPIENT, ROOT, type Row, tmp } from "./lib.js";
import { ServeProcess } from "./serve-process.js";

const execFileAsync = promisify(execFile);
const OPERATOR = "bench-small-operator";
/** A real RouterOS 7 export with secrets: every device seals each of them for the first time. */
const EXPORT = readFileSync(path.join(ROOT, "test/fixtures/routeros/v7.17.2-chr-verbose-sensitive.rsc"), "utf8");
/** Oxidized's CPU per first backup on the same kind of fleet, as measured outside this project (it cannot run here). */
const OXIDIZED_MS = 40;

async function floorRss(parts: string[]): Promise<number> {
  const { stdout } = await execFileAsync(process.execPath, [path.join(ROOT, "dist/bench/floor-process.js"), ...parts]);
  return (JSON.parse(stdout.trim()) as { rss: number }).rss;
}

/** CPU (user + system, ms) of one run of the stock OpenSSH client taking the same export: the cost of SSH alone. */
async function sshClientCpuMs(port: number, user: string, keyFile: string): Promise<number> {
  const { stderr } = await execFileAsync("/usr/bin/time", [
    "-f",
    "%U %S",
    "ssh",
    "-q",
    "-i",
    keyFile,
    "-p",
    String(port),
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    `${user}@127.0.0.1`,
    ":put [/system resource get version]; /export show-sensitive",
  ]);
  const [u, s] = stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return (u! + s!) * 1000;
}

/**
 * Targets 3 and 4: a small install. `devices` routers behind a real OpenSSH
 * server (one sshd, each device its own connection) printing a real v7
 * export with secrets; a real `serve` backs them all up once (first seal of
 * every secret), then once more unchanged (manual backups through the API).
 * Reports serve's CPU per backup (from /proc, its own process) against the
 * OpenSSH client taking the same export, and its resident memory after the
 * pass against what Node, the pack thread, express and ssh2 cost alone.
 */
export async function benchSmallInstall(devices: number, log: (s: string) => void = console.log): Promise<Row[]> {
  if (!sshdAvailable()) {
    log("  small install: no OpenSSH server here (openssh-server): skipped");
    return [];
  }
  const dir = tmp("small");
  // One sshd stands for the whole fleet: it must accept as many connections at once as the scheduler opens.
  const sshd = await startSshd({ exportText: EXPORT, version: "7.17.2", extraConfig: ["MaxStartups 200", "MaxSessions 200"] });
  const serve: { p: ServeProcess | null } = { p: null };
  try {
    const keyFile = path.join(dir, "client-key");
    writeFileSync(keyFile, sshd.clientPrivateKey, { mode: 0o600 });
    const sha = createHash("sha256").update(OPERATOR).digest("hex");
    const lines = [
      "listen: 127.0.0.1:0",
      `data_dir: ${dir}/repos`,
      `state_dir: ${dir}/state`,
      `encryption: { recipients: [${RECIPIENT}] }`,
      "log_level: info",
      `defaults: { username: ${sshd.username}, private_key_file: ${keyFile} }`,
      "tenants:",
      "  acme:",
      "    tokens:",
      `      - { name: ops, role: operator, sha256: "${sha}" }`,
      "    devices:",
    ];
    mkdirSync(path.join(dir, "state/devices/acme"), { recursive: true });
    for (let i = 0; i < devices; i++) {
      lines.push(`      - { id: r${i}, host: 127.0.0.1, port: ${sshd.port} }`);
      // Due now: the whole fleet runs at start (a first pass), not spread over its interval.
      writeFileSync(path.join(dir, `state/devices/acme/r${i}.json`), JSON.stringify({ ...INITIAL_STATE, next_run: "2000-01-01T00:00:00Z" }));
    }
    writeFileSync(path.join(dir, "config.yaml"), `${lines.join("\n")}\n`);

    const baselines = [await floorRss([]), await floorRss(["worker"]), await floorRss(["express"]), await floorRss(["ssh2"]), await floorRss(["worker", "express", "ssh2"])];
    const sshCpu: number[] = [];
    for (let k = 0; k < 10; k++) sshCpu.push(await sshClientCpuMs(sshd.port, sshd.username, keyFile));

    serve.p = await ServeProcess.start(path.join(dir, "config.yaml"));
    const p = serve.p;
    const idleRss = p.rssMb();
    const cpu0 = p.cpuSeconds();
    const t0 = performance.now();
    const done = () => p.events.filter((e) => e.line.event === "backup.done" || e.line.event === "backup.failed");
    while (done().length < devices) {
      if (performance.now() - t0 > 600_000) throw new Error(`only ${done().length} of ${devices} backups in 10 minutes`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const firstS = (performance.now() - t0) / 1000;
    const firstCpuMs = ((p.cpuSeconds() - cpu0) * 1000) / devices;
    const failures = done().filter((e) => e.line.event === "backup.failed");
    const failed = failures.length;
    if (failed) log(`  first pass failures: ${[...new Set(failures.map((e) => `${String(e.line.code)}: ${String(e.line.msg)}`))].slice(0, 3).join(" | ")}`);
    // Resident size once it settles: V8 returns the burst's heap some tens of seconds after the pass (its memory reducer).
    await new Promise((r) => setTimeout(r, 3000));
    const justAfter = p.rssMb();
    let afterRss = justAfter;
    let settledS = 3;
    for (let waited = 5; waited <= 90; waited += 5) {
      await new Promise((r) => setTimeout(r, 5000));
      const now = p.rssMb();
      if (now < afterRss - 1) settledS = 3 + waited;
      afterRss = Math.min(afterRss, now);
    }
    const metrics = await (await fetch(`${p.url}/metrics`)).text();
    const gauge = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(metrics)?.[1] ?? NaN) / 2 ** 20;
    log(`  after the pass: V8 heap ${gauge("nodejs_heap_size_total_bytes").toFixed(0)} MB (used ${gauge("nodejs_heap_size_used_bytes").toFixed(0)}), external ${gauge("nodejs_external_memory_bytes").toFixed(0)} MB, RSS ${gauge("process_resident_memory_bytes").toFixed(0)} MB`);

    // The unchanged pass: each device once more, through the API as an operator would.
    const cpu1 = p.cpuSeconds();
    let unchanged = 0;
    const ids = Array.from({ length: devices }, (_, i) => `r${i}`);
    for (let i = 0; i < ids.length; i += 20) {
      await Promise.all(
        ids.slice(i, i + 20).map(async (id) => {
          const res = await fetch(`${p.url}/api/v1/tenants/acme/devices/${id}/backup`, { method: "POST", headers: { authorization: `Bearer ${OPERATOR}` } });
          const body = (await res.json()) as { changed?: boolean };
          if (res.status === 200 && body.changed === false) unchanged++;
        }),
      );
    }
    const unchangedCpuMs = ((p.cpuSeconds() - cpu1) * 1000) / devices;
    const peak = p.peakRssMb();
    log(`  small install: ${devices} first backups in ${firstS.toFixed(1)} s (${failed} failed), ${unchanged} unchanged; RSS idle ${idleRss.toFixed(0)} MB, 3 s after the pass ${justAfter.toFixed(0)} MB, settled ${afterRss.toFixed(0)} MB (${settledS} s after), peak ${peak.toFixed(0)} MB`);
    log(`  floors (VmRSS): node ${baselines[0]!.toFixed(0)} MB, + pack worker ${baselines[1]!.toFixed(0)}, + express ${baselines[2]!.toFixed(0)}, + ssh2 ${baselines[3]!.toFixed(0)}, all three ${baselines[4]!.toFixed(0)} MB`);
    const sshMs = percentile(sshCpu, 50);
    return [
      {
        target: `3. serve RSS after a full pass, settled, ${devices} devices`,
        value: `${afterRss.toFixed(0)} MB`,
        baseline: `node+worker+express+ssh2 ${baselines[4]!.toFixed(0)} MB`,
        ratio: (afterRss / baselines[4]!).toFixed(2),
        goal: "< 100 MB",
        pass: afterRss < 100,
      },
      {
        target: `4. CPU per first backup (real OpenSSH, v7 export, every secret sealed)`,
        value: `${firstCpuMs.toFixed(1)} ms`,
        baseline: `ssh client alone ${sshMs.toFixed(1)} ms`,
        ratio: (firstCpuMs / sshMs).toFixed(2),
        goal: `<= ${OXIDIZED_MS} ms (Oxidized), ${failed} failed`,
        pass: firstCpuMs <= OXIDIZED_MS && failed === 0,
      },
      {
        target: "4. CPU per unchanged backup (manual, through the API)",
        value: `${unchangedCpuMs.toFixed(1)} ms`,
        baseline: `ssh client alone ${sshMs.toFixed(1)} ms`,
        ratio: (unchangedCpuMs / sshMs).toFixed(2),
        goal: `< 20 ms, ${unchanged}/${devices} unchanged`,
        pass: unchangedCpuMs < 20 && unchanged === devices,
      },
    ];
  } finally {
    await serve.p?.stop();
    await sshd.stop();
  }
}
