import { benchCollect } from "./collect.js";
import { printTable } from "./lib.js";

/** `node dist/bench/collect-only.js [DEVICES] [DELAY_MS]`: target 5 alone. */
printTable("Collection", await benchCollect(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 500)));
process.exit(0);
