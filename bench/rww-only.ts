import { printTable } from "./lib.js";
import { benchReadsWhileWriting } from "./reads-while-writing.js";

/** `node dist/bench/rww-only.js DEVICES COMMITS RATE SECONDS [REPO_DIR]`: target 2 alone. */
const [devices, commits, rate, seconds, dir] = process.argv.slice(2);
printTable("Reads while writing", await benchReadsWhileWriting(Number(devices ?? 100), Number(commits ?? 1000), Number(rate ?? 300), Number(seconds ?? 20), dir ?? null));
process.exit(0);
