import os from "node:os";
import { benchIngest } from "./ingest.js";
import { benchReads } from "./reads.js";
import { benchCollect } from "./collect.js";
import { benchMemory } from "./memory.js";
import { benchRemote } from "./remote.js";
import { printTable, settle, type Row } from "./lib.js";

/** `npm run bench`: every issue-8 target this suite measures, with its baseline, ratio and PASS/MISS. */
async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  console.log(`rosarchive benchmarks on ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}${quick ? " (quick)" : ""}`);
  const rows: Row[] = [];
  if (process.argv.includes("--remote")) {
    rows.push(...(await benchRemote(quick ? 200 : 1000, 500, [1, 2, 4])));
    printTable("Results", rows);
    process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
    return;
  }
  rows.push(...(await benchIngest(quick ? [100, 1000] : [100, 1000, 10000], quick ? 200 : 1000, quick ? 2000 : 5000)));
  await settle();
  rows.push(...(await benchMemory(quick ? 1000 : 10_000)));
  await settle();
  rows.push(...(await benchReads(100, quick ? 100 : 1000)));
  await settle();
  rows.push(...(await benchCollect(quick ? 200 : 1000, 500)));
  await settle();
  // Remote collectors over NATS JetStream, 1, 2 and 4 collector processes side by side (`--remote` runs only these).
  rows.push(...(await benchRemote(quick ? 200 : 1000, 500, [1, 2, 4])));
  printTable("Results", rows);
  process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
}

void main();
