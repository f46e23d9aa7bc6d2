import { usableKeyPair } from "../src/simulator/index.js";
/**
 * The collection benchmark's router fleet, in its own process so its CPU is
 * not counted as rosarchive's: `node dist/bench/simulator-process.js N DELAY_MS`
 * prints one JSON line with the ports, then serves until stdin closes.
 */
import { startSimulator } from "../src/simulator/index.js";
import { FIXTURE } from "./lib.js";

const n = Number(process.argv[2] ?? 1000);
const delayMs = Number(process.argv[3] ?? 500);
const hostKey = usableKeyPair().private;
const sim = await startSimulator({
  devices: Array.from({ length: n }, (_, i) => ({ id: `d${i}`, exportText: `${FIXTURE}\n/system identity\nset name=router-${i}\n`, version: "7.17.2", username: "backup", password: "bench", hostKey, delayMs })),
});
process.stdout.write(`${JSON.stringify({ ports: [...sim.devices.values()].map((d) => d.port) })}\n`);
process.stdin.resume();
process.stdin.on("end", () => void sim.stop().then(() => process.exit(0)));
