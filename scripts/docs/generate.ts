import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { replaceBlock } from "./blocks.js";
import { renderCliReference } from "./cli-reference.js";
import { renderConfigReference } from "./config-reference.js";
import { errorTable, eventFields, eventTable, metricTable, remoteMetricTables, routeTable } from "./tables.js";

/** The repository root (this file runs from dist/scripts/docs). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * What every generated document, or generated block of a hand-written one,
 * should hold now: file (relative to the root) → its full text. Reads the
 * committed hand-written files through `read`.
 */
export async function renderDocs(read: (file: string) => string = (f) => readFileSync(path.join(ROOT, f), "utf8")): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  out.set("docs/configuration.md", renderConfigReference());
  out.set("docs/cli.md", await renderCliReference());
  let api = read("docs/api.md");
  api = replaceBlock(api, "routes", routeTable(), "docs/api.md");
  api = replaceBlock(api, "errors", errorTable(), "docs/api.md");
  out.set("docs/api.md", api);
  let metrics = replaceBlock(read("docs/metrics.md"), "metrics", await metricTable(), "docs/metrics.md");
  metrics = replaceBlock(metrics, "remote-metrics", await remoteMetricTables(), "docs/metrics.md");
  out.set("docs/metrics.md", metrics);
  let events = read("docs/events.md");
  events = replaceBlock(events, "events", eventTable(), "docs/events.md");
  events = replaceBlock(events, "event-fields", eventFields(), "docs/events.md");
  out.set("docs/events.md", events);
  return out;
}

/** The files whose committed text differs from what the code generates. */
export async function staleDocs(): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, text] of await renderDocs()) {
    let now = "";
    try {
      now = readFileSync(path.join(ROOT, file), "utf8");
    } catch {
      /* missing: stale */
    }
    if (now !== text) stale.push(file);
  }
  return stale;
}

async function cli(): Promise<number> {
  const check = process.argv.includes("--check");
  if (check) {
    const stale = await staleDocs();
    for (const f of stale) console.error(`${f} is out of date: run npm run docs`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const [file, text] of await renderDocs()) {
    const abs = path.join(ROOT, file);
    let now = "";
    try {
      now = readFileSync(abs, "utf8");
    } catch {
      /* new */
    }
    if (now !== text) {
      writeFileSync(abs, text);
      console.log(`wrote ${file}`);
    }
  }
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli().then(
    (code) => process.exit(code),
    (err) => {
      console.error((err as Error).message);
      process.exit(1);
    },
  );
}
