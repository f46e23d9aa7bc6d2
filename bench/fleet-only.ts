import { benchFleetPage } from "./fleet-page.js";
import { printTable } from "./lib.js";

/** `node dist/bench/fleet-only.js 3000 10000`: target 7 alone. */
const sizes = process.argv.slice(2).map(Number);
printTable("Fleet page", await benchFleetPage(sizes.length ? sizes : [3000, 10000]));
process.exit(0);
