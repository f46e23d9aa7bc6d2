/**
 * What a Node process costs before rosarchive's own work: `node
 * dist/bench/floor-process.js [worker] [express] [ssh2]` loads what it is
 * told (the pack thread's worker with its limits, express listening,
 * ssh2), settles, and prints its resident size (VmRSS, MB) as one JSON line.
 */
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";

const want = new Set(process.argv.slice(2));
if (want.has("worker")) {
  const w = new Worker("require('node:worker_threads').parentPort.on('message', () => {})", { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 } });
  w.unref();
}
if (want.has("express")) {
  const express = (await import("express")).default;
  const app = express();
  app.get("/", (_req, res) => void res.json({ ok: true }));
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", () => r()));
}
if (want.has("ssh2")) await import("ssh2");
await new Promise((r) => setTimeout(r, 1500));
const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 1024;
process.stdout.write(`${JSON.stringify({ rss })}\n`);
process.exit(0);
