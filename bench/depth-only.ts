import { benchDepth } from "./depth.js";
import { printTable } from "./lib.js";

/** `node dist/bench/depth-only.js DEVICES COMMITS [REPO_DIR]`: target 1 alone (REPO_DIR keeps the built repository between runs). */
const [devices, commits, dir] = process.argv.slice(2);
printTable("Depth", await benchDepth(Number(devices ?? 1000), Number(commits ?? 1000), dir ?? null));
process.exit(0);
