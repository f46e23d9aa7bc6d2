/**
 * History page timing (not a test): builds a tenant repository of N devices
 * with M commits each (interleaved, as a fleet produces them), runs the
 * maintenance a real deployment runs (repack, commit-graph with changed
 * paths), then times pages of 50 through the same readers the API uses.
 *
 *   node dist/bench/history.js [devices=100] [commitsPerDevice=1000]
 *
 * Target (issue): a page of 50 of one device in < 50 ms.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { commitMessage, deviceHistory, rfc3339, runGit, tenantHistory, TenantRepo } from "../src/archive/index.js";
import { ROUTEROS } from "../src/routeros/index.js";

const DEVICES = Number(process.argv[2] ?? 100);
const COMMITS = Number(process.argv[3] ?? 1000);

function exportText(device: number, version: number): string {
  const lines = ["# RouterOS 7.16.2", "/interface bridge", `add name=bridge-${device}`, "/ip address"];
  for (let i = 0; i < 40; i++) lines.push(`add address=10.${device % 250}.${i}.1/24 interface=ether${i % 8}`);
  lines.push("/ip firewall filter");
  for (let i = 0; i < 60; i++) lines.push(`add action=accept chain=input comment=rule-${i} dst-port=${1000 + i} protocol=tcp`);
  lines.push("/system identity", `set name=dev-${device}`, "/system note", `set note="revision ${version}"`);
  return `${lines.join("\n")}\n`;
}

async function time<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t = process.hrtime.bigint();
  const r = await fn();
  console.log(`${label.padEnd(52)} ${(Number(process.hrtime.bigint() - t) / 1e6).toFixed(1).padStart(9)} ms`);
  return r;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rosarchive-bench-history-"));
  try {
    const repo = await TenantRepo.open(dir, "bench", { fsync: false });
    const start = Date.parse("2025-01-01T00:00:00Z");
    await time(`build ${DEVICES} devices x ${COMMITS} commits`, async () => {
      for (let c = 0; c < COMMITS; c++) {
        for (let d = 0; d < DEVICES; d++) {
          const at = start + (c * DEVICES + d) * 60_000;
          await repo.commitFile({
            path: `dev-${d}.rsc`,
            content: Buffer.from(exportText(d, c)),
            authorTime: Math.floor(at / 1000),
            message: (prev) => commitMessage(prev ? "+1 -1 in /system note" : "initial snapshot", { device: `dev-${d}`, host: "10.0.0.1", routerosVersion: "7.16.2", trigger: "scheduled", collectedAt: rfc3339(at), normalizer: 1 }),
          });
        }
      }
    });
    await time("maintenance: repack + commit-graph --changed-paths", async () => {
      await runGit({ gitDir: repo.gitDir, args: ["repack", "-a", "-d", "-q"] });
      await runGit({ gitDir: repo.gitDir, args: ["commit-graph", "write", "--reachable", "--changed-paths"] });
    });
    const q = { limit: 50, sectionOf: ROUTEROS.sectionOf };
    const newest = `dev-${DEVICES - 1}.rsc`;
    const oldest = "dev-0.rsc";
    const p1 = await time(`device page 1 (cold cache) ${newest}`, () => deviceHistory(repo, newest, q));
    await time(`device page 1 (warm cache) ${newest}`, () => deviceHistory(repo, newest, q));
    const mid = await time(`device page 2 (cold) via before=`, () => deviceHistory(repo, newest, { ...q, before: p1[p1.length - 1]!.commit }));
    await time(`device page 3 (cold) via before=`, () => deviceHistory(repo, newest, { ...q, before: mid[mid.length - 1]!.commit }));
    await time(`device page 1 (cold cache) ${oldest}`, () => deviceHistory(repo, oldest, q));
    await time(`device page 1 (warm cache) ${oldest}`, () => deviceHistory(repo, oldest, q));
    await time("tenant timeline page 1 (cold)", () => tenantHistory(repo, q));
    await time("tenant timeline page 1 (warm)", () => tenantHistory(repo, q));
    repo.close();
  } finally {
    if (!process.env.ROSARCHIVE_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
