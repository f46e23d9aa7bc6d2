// One version in the device page's history: when, why, what changed per section, and its buttons.

import { downloadVersion } from "./actions.js";
import { fill, h } from "./dom.js";
import { countsEl, fmtAbs, short } from "./format.js";

/** How many changed sections an entry lists before a "+n more" button. */
const SECTIONS_SHOWN = 4;

/**
 * The <li> of history entry `e` of device `id`. `fresh`: it arrived live (highlighted);
 * `selected`: its diff is the one shown; `onView()` shows its diff.
 */
export function timelineEntry(id, e, { fresh, selected, onView }) {
  const viewBtn = h("button", { type: "button", class: "btn btn-small", "aria-label": `Show the changes of ${short(e.commit)}`, onclick: onView }, "View changes");
  const dlOut = h("span", { class: "inline-status", role: "status" });
  const dlBtn = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": `Download version ${short(e.commit)} as .rsc`, onclick: () => downloadVersion(id, e.commit, dlOut) }, "Download .rsc");
  const sections = sectionItems(e);
  return h(
    "li",
    { class: `entry${fresh ? " fresh" : ""}${selected ? " selected" : ""}`, dataset: { commit: e.commit } },
    entryHead(e),
    h("p", { class: "entry-summary" }, e.summary),
    sections.length ? h("ul", { class: "sections", "aria-label": "Sections changed" }, sections) : null,
    h("div", { class: "entry-foot" }, h("code", { class: "commit", title: e.commit }, short(e.commit)), h("span", { class: "spacer" }), viewBtn, dlBtn),
    dlOut,
  );
}

/** Time, trigger, RouterOS version and the re-seal badge. */
function entryHead(e) {
  return h(
    "div",
    { class: "entry-head" },
    h("time", { datetime: e.time, class: "entry-time" }, fmtAbs(e.time)),
    // The trigger lands in a class name: anything but plain letters gets the generic one.
    e.trigger ? h("span", { class: `badge trigger trigger-${/^[a-z]+$/.test(e.trigger) ? e.trigger : "other"}` }, e.trigger) : null,
    e.routeros_version ? h("span", { class: "ver" }, `RouterOS ${e.routeros_version}`) : null,
    e.resealed ? h("span", { class: "badge resealed", title: "Only sealed values changed (new recipients); the configuration is the same" }, "re-seal") : null,
  );
}

/** The first few changed sections, and a button that expands the list in place to all of them. */
function sectionItems(e) {
  const sectionItem = (s) => h("li", {}, h("span", { class: "section-name" }, s.section), " ", countsEl(s.added, s.removed));
  // A commit touching more sections than the service lists carries a count of the rest.
  const omitted = e.sections_omitted;
  const omittedItem = () => h("li", { class: "omitted" }, `${omitted.sections} more sections not listed `, countsEl(omitted.added, omitted.removed));
  const all = e.sections ?? [];
  const sections = all.slice(0, SECTIONS_SHOWN).map(sectionItem);
  if (omitted && all.length <= SECTIONS_SHOWN) sections.push(omittedItem());
  if (all.length > SECTIONS_SHOWN) {
    const more = h("button", { type: "button", class: "more", "aria-label": `Show all ${all.length} sections of ${short(e.commit)}` }, `+${all.length - SECTIONS_SHOWN} more`);
    more.addEventListener("click", () => {
      const list = more.closest("ul");
      fill(list, [...all.map(sectionItem), ...(omitted ? [omittedItem()] : [])]);
      list.querySelector("li")?.setAttribute("tabindex", "-1");
      list.querySelector("li")?.focus();
    });
    sections.push(h("li", { class: "more-item" }, more));
  }
  return sections;
}

/** A history entry made from a live commit event alone, for when the history cannot be fetched. */
export function entryFromCommitEvent(ev) {
  return {
    commit: ev.commit,
    parent: ev.parent,
    time: ev.collected_at,
    trigger: ev.trigger,
    routeros_version: ev.routeros_version,
    summary: (ev.sections ?? []).map((s) => `+${s.added} -${s.removed} in ${s.section}`).join(", ") || "new version",
    stats: ev.stats ?? { added: 0, removed: 0 },
    sections: ev.sections ?? [],
  };
}
