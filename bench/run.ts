import os from "node:os";
import { benchIngest } from "./ingest.js";
import { benchReads } from "./reads.js";
import { benchCollect } from "./collect.js";
import { benchMemory } from "./memory.js";
import { benchMigrate } from "./migrate.js";
import { benchRemote } from "./remote.js";
import { benchSearch } from "./search.js";
import { benchHostileChange } from "./hostile.js";
import { benchDepth } from "./depth.js";
import { benchReadsWhileWriting } from "./reads-while-writing.js";
import { benchSmallInstall } from "./small-install.js";
import { benchFleetPage } from "./fleet-page.js";
import { printTable, settle, type Row } from "./lib.js";

const PHASES = ["ingest", "memory", "reads", "collect", "search", "remote", "migrate", "hostile", "depth", "rww", "small", "fleet"] as const;

/**
 * `npm run bench`: every performance target this suite measures, with its
 * baseline, ratio and PASS/MISS. `--quick` runs smaller sizes; `--only
 * PHASE[,PHASE]` runs those phases alone (ingest, memory, reads, collect,
 * search, remote, migrate, hostile, depth, rww, small, fleet); `--remote` is
 * `--only remote`. Each phase also has a runner of its own with sizes as
 * arguments (dist/bench/depth-only.js, rww-only.js, small-only.js,
 * fleet-only.js, collect-only.js, ingest-only.js --hog).
 */
async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const at = process.argv.indexOf("--only");
  const only = process.argv.includes("--remote") ? ["remote"] : at >= 0 ? (process.argv[at + 1] ?? "").split(",") : [...PHASES];
  const unknown = only.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0 || only.length === 0) {
    console.error(`--only takes phases from: ${PHASES.join(", ")} (comma-separated)`);
    process.exitCode = 2;
    return;
  }
  const run = (phase: (typeof PHASES)[number]) => only.includes(phase);
  console.log(`rosarchive benchmarks on ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}${quick ? " (quick)" : ""}${at >= 0 ? ` (only ${only.join(", ")})` : ""}`);
  const rows: Row[] = [];
  const phase = async (name: (typeof PHASES)[number], work: () => Promise<Row[]>) => {
    if (!run(name)) return;
    if (rows.length > 0) await settle();
    rows.push(...(await work()));
  };
  await phase("ingest", () => benchIngest(quick ? [100, 1000] : [100, 1000, 10000], quick ? 200 : 1000, quick ? 2000 : 5000));
  await phase("memory", () => benchMemory(quick ? 1000 : 10_000));
  await phase("reads", () => benchReads(100, quick ? 100 : 1000));
  await phase("collect", () => benchCollect(quick ? 200 : 1000, 500));
  await phase("search", () => benchSearch(1000, quick ? 5 : 20));
  // Remote collectors over NATS JetStream, 1, 2 and 4 collector processes side by side (`--remote` runs only these).
  await phase("remote", () => benchRemote(quick ? 200 : 1000, 500, [1, 2, 4]));
  // `rosarchive migrate oxidized` of a 10,000-commit history of 100 nodes, against fast-import writing that history.
  await phase("migrate", () => benchMigrate(quick ? 20 : 100, quick ? 50 : 100));
  // One router's 12,000-line change through a real serve while another tenant reads.
  await phase("hostile", () => benchHostileChange(quick ? 3 : 10));
  // An outside-built repository (git fast-import) of 1,000 devices x 1,000 commits: restart, cold start, pages, diff, timeline, RSS.
  await phase("depth", () => benchDepth(quick ? 100 : 1000, 1000, null));
  // History, diff and timeline reads and /healthz while 300 commits/s are written to the same tenant.
  await phase("rww", () => benchReadsWhileWriting(100, 1000, 300, quick ? 10 : 20, null));
  // serve with 100 devices behind a real OpenSSH fleet: RSS after a full pass, CPU per first and unchanged backup.
  await phase("small", () => benchSmallInstall(100));
  // The fleet page in chromium, paged against the unpaged page of the same run.
  await phase("fleet", () => benchFleetPage(quick ? [3000] : [3000, 10000]));
  printTable("Results", rows);
  process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
}

void main();
