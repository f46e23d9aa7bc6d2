import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Real exports shipped with the package (src/demo/exports, see SOURCES.md
 * there). tsc copies no .rsc into dist/, so the compiled file
 * (dist/src/demo/demo-fleet.js) reads them from the source tree beside it.
 */
export function demoExportsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, "exports"), path.resolve(here, "../../../src/demo/exports")];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[candidates.length - 1]!;
}

export interface DemoDevice {
  readonly id: string;
  readonly group: string;
  readonly version: string;
  readonly exportText: string;
}

/** `v7.18.2-wifi.rsc` → 7.18.2; a file without a version in its name plays a 7.16.2 router. */
function versionOf(file: string): string {
  const m = /^v(\d+(?:\.\d+)+)-/.exec(file);
  return m ? m[1]! : "7.16.2";
}

/** N devices cycling through the fixtures: v6 and v7, with and without secrets. */
export function demoFleet(n: number, dir = demoExportsDir()): DemoDevice[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(".rsc") && !f.endsWith(".normalized.rsc")).sort();
  if (files.length === 0) throw new Error(`no RouterOS exports in ${dir}`);
  return Array.from({ length: n }, (_, i) => {
    const file = files[i % files.length]!;
    return {
      id: `router-${String(i + 1).padStart(2, "0")}`,
      group: i % 2 === 0 ? "fra" : "ams",
      version: versionOf(file),
      exportText: readFileSync(path.join(dir, file), "utf8"),
    };
  });
}

/**
 * The demo's "operator at work": the n-th change adds a firewall rule, and
 * every third one rotates a secret, so history, diffs, sections and sealed
 * values all have something to show.
 */
export function mutateExport(text: string, n: number): string {
  const lf = text.replace(/\r\n?/g, "\n");
  let out = lf.endsWith("\n") ? lf : `${lf}\n`;
  out += `/ip firewall filter\nadd action=accept chain=input comment="demo change ${n}" dst-port=${8000 + n} protocol=tcp\n`;
  if (n % 3 === 0) out += `/ppp secret\nadd name=demo-user password=demo-secret-${n}-rotated service=pppoe\n`;
  return out;
}
