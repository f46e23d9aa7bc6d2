import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT, type Row } from "./lib.js";

/** Target 6: peak RSS of the archiving service while it archives `n` devices (bench/memory-process.ts). */
export async function benchMemory(n: number): Promise<Row[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, "dist/bench/memory-process.js"), String(n)], { maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout.trim().split("\n").pop()!) as { devices: number; commits: number; firstS: number; unchangedS: number; maxRssMb: number };
  return [
    {
      target: `6. peak RSS archiving ${n} devices (first + unchanged round)`,
      value: `${r.maxRssMb.toFixed(0)} MB`,
      baseline: `${r.commits} commits in ${r.firstS.toFixed(0)} s, ${n} unchanged in ${r.unchangedS.toFixed(1)} s`,
      ratio: "-",
      goal: "< 300 MB",
      pass: r.maxRssMb < 300 && r.commits === n,
    },
  ];
}
