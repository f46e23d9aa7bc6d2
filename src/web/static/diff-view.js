// The diff viewer: a unified diff as git prints it, added lines green, removed
// red, hunk headers blue, each hunk labelled with the /menu sections its lines
// stand in (from the JSON form, which takes them from the whole files). The
// device page's version diff and "Compare with…" both render through it.

import { fill, h } from "./dom.js";

const DIFF_LINE_CAP = 20000;

/** Renders `text` (text/x-diff) into `container`; `sections` is the JSON form's list. */
export function renderDiffLines(container, text, sections, emptyText = "No differences between these two versions.") {
  // Which section each changed line stands in, from the JSON form (taken from the whole files, not the hunk).
  const addSec = new Map();
  const delSec = new Map();
  const push = (m, line, s) => (m.has(line) ? m.get(line).push(s) : m.set(line, [s]));
  for (const s of sections) {
    for (const l of s.added) push(addSec, l, s.section);
    for (const l of s.removed) push(delSec, l, s.section);
  }
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length === 0) {
    fill(container, h("p", { class: "empty" }, emptyText));
    return;
  }
  const frag = document.createDocumentFragment();
  let hunk = null;
  let hunkSections = null;
  let oldNo = 0;
  let newNo = 0;
  let inHeader = true;
  const lineEl = (cls, o, n, sign, body, section) =>
    h("div", { class: `dl ${cls}`, title: section ? `in ${section}` : null }, h("span", { class: "ln" }, o), h("span", { class: "ln" }, n), h("span", { class: "sg", "aria-hidden": cls === "ctx" ? "true" : null }, sign), h("span", { class: "tx" }, body));
  const cap = Math.min(lines.length, DIFF_LINE_CAP);
  for (let i = 0; i < cap; i++) {
    const line = lines[i];
    const m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/.exec(line);
    if (m) {
      inHeader = false;
      oldNo = Number(m[1]);
      newNo = Number(m[2]);
      hunkSections = h("span", { class: "hunk-sections" });
      hunk = h("div", { class: "hunk" }, h("div", { class: "dl hunk-head" }, h("span", { class: "hh" }, line), hunkSections));
      hunk.sectionSet = new Set();
      frag.append(hunk);
      continue;
    }
    if (line.startsWith("diff --git ")) inHeader = true;
    if (inHeader || !hunk) {
      frag.append(h("div", { class: "dl meta" }, line));
      continue;
    }
    const sign = line[0];
    const body = line.slice(1);
    let section = null;
    if (sign === "+") {
      section = addSec.get(body)?.shift() ?? null;
      hunk.append(lineEl("add", "", String(newNo++), "+", body, section));
    } else if (sign === "-") {
      section = delSec.get(body)?.shift() ?? null;
      hunk.append(lineEl("del", String(oldNo++), "", "-", body, section));
    } else if (sign === "\\") {
      hunk.append(h("div", { class: "dl note" }, line));
    } else {
      hunk.append(lineEl("ctx", String(oldNo++), String(newNo++), " ", body, null));
    }
    if (section && !hunk.sectionSet.has(section)) {
      hunk.sectionSet.add(section);
      hunkSections.append(h("span", { class: "section-chip" }, section));
    }
  }
  if (lines.length > cap) frag.append(h("p", { class: "notice" }, `The diff has ${lines.length} lines; the first ${cap} are shown. Download the versions to see all of it.`));
  fill(container, h("div", { class: "diff-lines", role: "region", "aria-label": "Unified diff" }, frag));
}
