import { printTable } from "./lib.js";
import { benchSmallInstall } from "./small-install.js";

/** `node dist/bench/small-only.js [DEVICES]`: targets 3 and 4 alone. */
printTable("Small install", await benchSmallInstall(Number(process.argv[2] ?? 100)));
process.exit(0);
