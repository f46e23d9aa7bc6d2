/**
 * The hostile router of the hostile-change benchmark, in its own process so
 * its SSH work is not counted as rosarchive's: `node
 * dist/bench/hostile-router-process.js` prints one JSON line with the port,
 * then serves a 12,000-line export; each line `flip` on stdin rewrites every
 * line of it. Serves until stdin closes.
 */
import { createInterface } from "node:readline";
import { startSimulator, usableKeyPair } from "../src/simulator/index.js";
import { hostileExport } from "./lib.js";

let version = 0;
const sim = await startSimulator({
  devices: [{ id: "big-1", exportText: hostileExport(version), version: "7.17.2", username: "backup", password: "bench", hostKey: usableKeyPair().private }],
});
process.stdout.write(`${JSON.stringify({ port: sim.devices.get("big-1")!.port })}\n`);
const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (line.trim() !== "flip") return;
  sim.setExport("big-1", hostileExport(++version));
  process.stdout.write("flipped\n");
});
input.on("close", () => void sim.stop().then(() => process.exit(0)));
