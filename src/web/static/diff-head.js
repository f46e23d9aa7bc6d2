// The line above a diff: which version against which, the line counts, and the changed sections.

import { h } from "./dom.js";
import { countsEl, short } from "./format.js";

/**
 * The header elements of the diff of `to` against `from` (null: its previous version).
 * `text` is the unified diff, `json` the server's diff summary, `entries` the history shown (newest first).
 */
export function diffHeadEls(text, json, from, to, entries) {
  const sections = json.sections ?? [];
  return [
    h("p", { class: "diff-range" }, h("code", {}, fromLabel(text, json, from, to, entries)), h("span", { "aria-hidden": "true" }, " → "), h("span", { class: "visually-hidden" }, " to "), h("code", {}, short(json.to ?? to)), " ", countsEl(json.stats?.added ?? 0, json.stats?.removed ?? 0)),
    sections.length
      ? h("ul", { class: "sections section-summary", "aria-label": "Changed lines by section" }, sections.map((s) => h("li", {}, h("span", { class: "section-name" }, s.section), " ", countsEl(s.added.length, s.removed.length))))
      : null,
  ];
}

/** How the `from` side is named. */
function fromLabel(text, json, from, to, entries) {
  if (from) return short(json.from ?? from);
  // Without `from` the server diffs against the parent commit, whose copy of this file is the device's previous version.
  if (/^new file mode /m.test(text)) return "nothing (first snapshot)";
  const at = entries.findIndex((e) => e.commit === (json.to ?? to));
  const previous = at >= 0 ? entries[at + 1] : undefined;
  return previous ? `${short(previous.commit)} (previous version)` : "previous version";
}
