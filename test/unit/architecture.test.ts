import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../helpers/tmp.js";

/**
 * The folders of src and what each may import, as data. The pipeline reads
 * left to right (collect -> normalize -> seal -> archive -> notify); the
 * engines know no platform (RouterOS comes in as an argument), the edges
 * know nothing of the pipeline, and only the composition root (cli) sees
 * everything. A new folder must be added here, or the test fails.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  common: [],
  observe: [],
  config: ["common"],
  routeros: ["common"],
  normalize: ["common"],
  seal: ["common"],
  collect: ["common"],
  archive: ["common"],
  store: ["common"],
  notify: ["common", "config", "archive", "store", "observe"],
  pipeline: ["common", "config", "collect", "normalize", "seal", "archive", "store", "notify", "observe"],
  scheduler: ["common", "config", "pipeline", "store", "observe"],
  inventory: ["common", "config", "archive", "store", "notify", "observe", "pipeline"],
  remote: ["common", "config", "normalize", "seal", "archive", "store", "observe", "pipeline"],
  web: [],
  search: ["common", "archive"],
  policy: ["common", "config", "archive", "store", "notify", "observe"],
  api: ["common", "config", "seal", "archive", "store", "notify", "observe", "pipeline", "inventory", "web", "search", "policy"],
  simulator: ["common", "routeros", "collect", "normalize", "seal"],
  // Reads what other tools stored for RouterOS devices (Oxidized's routeros model, RANCID's routeros module): RouterOS by nature.
  migrate: ["common", "routeros", "collect", "archive"],
  demo: [],
  cli: ["*"],
};

/** Modules the pure transformations may not reach for: side effects live at the edges. */
const PURE_FOLDERS = ["common", "routeros", "normalize"];
const SIDE_EFFECT_MODULES = /^node:(fs|child_process|net|http|https|worker_threads|dgram|os)$/;

/** Only these files may read the process environment or spawn git. */
const PROCESS_ENV_ALLOWED = /^src\/cli\//;
const GIT_SPAWN_ALLOWED = "src/archive/git.ts";

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

const SRC = path.join(REPO_ROOT, "src");
const files = sourceFiles(SRC).map((abs) => ({ abs, rel: path.relative(REPO_ROOT, abs), text: readFileSync(abs, "utf8") }));
const folderOf = (abs: string) => path.relative(SRC, abs).split(path.sep)[0]!;
const importsOf = (text: string) => [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm), ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);

describe("architecture: the import rules hold", () => {
  it("every folder of src is known to the rules", () => {
    const folders = [...new Set(files.map((f) => folderOf(f.abs)))].filter((f) => !f.endsWith(".ts"));
    const unknown = folders.filter((f) => !(f in MAY_IMPORT));
    assert.deepEqual(unknown, [], `add these folders to MAY_IMPORT: ${unknown.join(", ")}`);
  });

  it("no folder imports one it may not (no upward arrow, no cycle)", () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = folderOf(f.abs);
      const allowed = MAY_IMPORT[from] ?? [];
      for (const spec of importsOf(f.text)) {
        if (!spec.startsWith(".")) continue;
        const to = folderOf(path.resolve(path.dirname(f.abs), spec));
        if (to === from || allowed.includes("*") || allowed.includes(to)) continue;
        bad.push(`${f.rel} imports ${spec} (${from} -> ${to})`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it("no circle of imports between files, type imports included (a circle means two modules are really one)", () => {
    const graph = new Map<string, string[]>();
    for (const f of files) {
      const to = importsOf(f.text)
        .filter((s) => s.startsWith("."))
        .map((s) => path.relative(REPO_ROOT, path.resolve(path.dirname(f.abs), s)).replace(/\.js$/, ".ts"));
      graph.set(f.rel, to);
    }
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (node: string, trail: string[]): void => {
      if (state.get(node) === "done") return;
      if (state.get(node) === "open") {
        circles.push([...trail.slice(trail.indexOf(node)), node].join(" -> "));
        return;
      }
      state.set(node, "open");
      for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
      state.set(node, "done");
    };
    for (const node of graph.keys()) visit(node, []);
    assert.deepEqual(circles, []);
  });

  it("the pure folders use no file system, process, network or thread module", () => {
    const bad: string[] = [];
    for (const f of files) {
      if (!PURE_FOLDERS.includes(folderOf(f.abs))) continue;
      for (const spec of importsOf(f.text)) if (SIDE_EFFECT_MODULES.test(spec)) bad.push(`${f.rel} imports ${spec}`);
    }
    assert.deepEqual(bad, []);
  });

  it("only the CLI reads process.env, and only src/archive/git.ts spawns git", () => {
    const env = files.filter((f) => !PROCESS_ENV_ALLOWED.test(f.rel) && /\bprocess\.env\b/.test(f.text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "")));
    assert.deepEqual(env.map((f) => f.rel), []);
    const spawnsGit = files.filter((f) => f.rel !== GIT_SPAWN_ALLOWED && /\b(spawn|execFile|spawnSync|execFileSync)\(\s*"git"/.test(f.text));
    assert.deepEqual(spawnsGit.map((f) => f.rel), []);
  });

  it("the demo reads nothing from test/ at run time", () => {
    const bad = files.filter((f) => f.rel.startsWith("src/") && /["'`][^"'`]*\btest\/fixtures\b/.test(f.text));
    assert.deepEqual(bad.map((f) => f.rel), []);
  });
});
