import { spawn } from "node:child_process";
import { benchIngest } from "./ingest.js";
import { printTable } from "./lib.js";

/** `node dist/bench/ingest-only.js [--hog] SIZES...`: the ingest targets (unchanged snapshots per second, commits against fast-import) alone; --hog runs two busy loops beside it. */
const hog = process.argv.includes("--hog");
const sizes = process.argv.slice(2).filter((a) => a !== "--hog").map(Number);
const hogs = hog ? [0, 1].map(() => spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" })) : [];
try {
  printTable(`Ingest${hog ? " beside two busy loops" : ""}`, await benchIngest(sizes.length ? sizes : [10000], 1000, 5000));
} finally {
  for (const h of hogs) h.kill();
}
process.exit(0);
