import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { configDocProblems } from "../../../scripts/docs/config-reference.js";
import { listedCommands } from "../../../scripts/docs/cli-reference.js";
import { staleDocs } from "../../../scripts/docs/generate.js";
import { ERROR_STATUS, EVENT_NAMES } from "../../../src/common/index.js";
import { METRIC_NAMES } from "../../../src/observe/index.js";
import { REPO_ROOT } from "../../helpers/tmp.js";

const read = (f: string) => readFileSync(path.join(REPO_ROOT, f), "utf8");

/** Rows of the first markdown table after `marker`: cells of each row, header and rule left out. */
function tableAfter(text: string, marker: string): string[][] {
  const at = text.indexOf(marker);
  assert.ok(at >= 0, `marker ${marker}`);
  const lines = text.slice(at).split("\n").slice(1);
  const rows: string[][] = [];
  for (const line of lines) {
    if (!line.startsWith("|")) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
  }
  return rows.slice(2);
}

/** Citations of things the repository does not hold: the contract document, its section sign, issue numbers, the shared folder (built from pieces, so this file does not match itself). */
const OUTSIDE = new RegExp(["\\bS" + "PEC\\b", String.fromCharCode(0xa7), "\\b[Ii]ss" + "ue #?\\d+\\b", "\\.\\./sh" + "ared\\b"].join("|"));

const unquote = (c: string) => c.replace(/^`|`$/g, "");

describe("docs: the reference docs are generated from the code and stay true", function () {
  this.timeout(60_000);

  it("every generated doc and block is what the code generates now (else: npm run docs)", async () => {
    const stale = await staleDocs();
    assert.deepEqual(stale, [], `out of date: ${stale.join(", ")}. Run \`npm run docs\` and commit the result.`);
  });

  it("every configuration key has a description, a reload rule and an example that loads", () => {
    assert.deepEqual(configDocProblems(), []);
  });

  it("docs/metrics.md lists exactly METRIC_NAMES", () => {
    const names = tableAfter(read("docs/metrics.md"), "BEGIN GENERATED metrics").map((r) => unquote(r[0]!));
    assert.deepEqual([...names].sort(), [...METRIC_NAMES].sort());
  });

  it("the error table of docs/api.md is ERROR_STATUS, code and status", () => {
    const rows = tableAfter(read("docs/api.md"), "BEGIN GENERATED errors").map((r) => [unquote(r[0]!), Number(r[1])] as const);
    assert.deepEqual(Object.fromEntries(rows), { ...ERROR_STATUS });
    assert.equal(rows.length, Object.keys(ERROR_STATUS).length);
    for (const r of tableAfter(read("docs/api.md"), "BEGIN GENERATED errors")) assert.ok(r[2]!.length > 10, `${r[0]} has a meaning`);
  });

  it("the event table of docs/events.md is EVENT_NAMES", () => {
    const names = tableAfter(read("docs/events.md"), "BEGIN GENERATED events").map((r) => unquote(r[0]!));
    assert.deepEqual(names, [...EVENT_NAMES]);
  });

  it("docs/cli.md has every command of rosarchive --help, with every flag of its usage, and no other", async () => {
    const cli = read("docs/cli.md");
    const sections = [...cli.matchAll(/^## rosarchive (\S+)$/gm)].map((m) => m[1]!);
    const commands = await listedCommands();
    assert.deepEqual(sections, commands.map((c) => c.name));
    for (const c of commands) {
      const body = cli.slice(cli.indexOf(`## rosarchive ${c.name}\n`)).split(/^## /m)[1]!;
      for (const flag of new Set([...c.usage.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]))) assert.ok(body.includes(flag), `${c.name}: ${flag} in docs/cli.md`);
      assert.ok(body.includes(c.usage.split("\n")[0]!), `${c.name}: its usage line`);
    }
  });

  it("the repository stands alone: no reference to files or issue numbers outside it", () => {
    const roots = ["README.md", "config.example.yaml", "collector.example.yaml", "docs", "hooks", "deploy", "src", "test", "bench", "scripts", ".ci", "package.json"];
    const bad: string[] = [];
    const visit = (rel: string) => {
      const abs = path.join(REPO_ROOT, rel);
      if (!existsSync(abs)) return;
      if (statSync(abs).isDirectory()) {
        if (rel === "test/fixtures") return; // third-party exports and recorded answers, quoted as they are
        for (const n of readdirSync(abs)) visit(path.join(rel, n));
        return;
      }
      const text = readFileSync(abs, "utf8");
      text.split("\n").forEach((line, i) => {
        if (OUTSIDE.test(line)) bad.push(`${rel}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    };
    for (const r of roots) visit(r);
    assert.deepEqual(bad, [], "describe the behaviour itself instead of citing a document or issue the repository does not hold");
  });

  it("relative links of the README and docs/ point at files that exist, and anchors into generated docs exist", () => {
    const bad: string[] = [];
    const docs = readdirSync(path.join(REPO_ROOT, "docs")).filter((n) => n.endsWith(".md")).map((n) => `docs/${n}`);
    for (const file of ["README.md", "hooks/README.md", ...docs]) {
      const text = read(file).replace(/^```[\s\S]*?^```$/gm, "");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const [p, anchor] = target.split("#") as [string, string | undefined];
        const abs = p ? path.resolve(path.dirname(path.join(REPO_ROOT, file)), p) : path.join(REPO_ROOT, file);
        if (!existsSync(abs)) {
          bad.push(`${file}: ${target}`);
          continue;
        }
        if (anchor && abs.endsWith(".md")) {
          const md = readFileSync(abs, "utf8");
          const slugs = new Set([...md.matchAll(/^#+ (.+)$/gm)].map((h) => h[1]!.toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-")));
          for (const a of md.matchAll(/<a id="([^"]+)">/g)) slugs.add(a[1]!);
          if (!slugs.has(anchor)) bad.push(`${file}: ${target} (no such anchor)`);
        }
      }
    }
    assert.deepEqual(bad, []);
  });
});
