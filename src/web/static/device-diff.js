// The device page's diff card: load the diff of two versions and show it, the newest request winning.

import { describeError } from "./api.js";
import { fetchDiff, optionLabel } from "./device-history.js";
import { diffHeadEls } from "./diff-head.js";
import { renderDiffLines } from "./diff-view.js";
import { fill, h } from "./dom.js";

/**
 * `showDiff(from, to, chosen)` for device `id`: marks `to` in the timeline and the selects, loads the diff
 * of `to` against `from` (null: its previous version) and renders it. `chosen`: the user picked it (the
 * diff stops following new commits, and scrolls into view). `page` is the page's shared state (entries,
 * diffSeq, selectedTo, shownTo); `isCurrent()` turns false once the user has left the page.
 */
export function diffShower(id, page, els, isCurrent) {
  const { timeline, fromSel, toSel, diffHead, diffBody, diffCard } = els;
  return async (from, to, chosen) => {
    // A later request supersedes this one: only the newest renders.
    const seq = ++page.diffSeq;
    if (chosen) page.selectedTo = to;
    page.shownTo = to;
    for (const li of timeline.children) li.classList.toggle("selected", li.dataset.commit === to);
    if (fromSel.value !== (from ?? "")) fromSel.value = from ?? "";
    if (toSel.value !== to) toSel.value = to;
    fill(diffHead, h("p", { class: "muted" }, "Loading the diff…"));
    diffBody.setAttribute("aria-busy", "true");
    try {
      const { text, json } = await fetchDiff(id, from, to);
      if (seq !== page.diffSeq || !isCurrent()) return;
      fill(diffHead, ...diffHeadEls(text, json, from, to, page.entries));
      renderDiffLines(diffBody, text, json.sections ?? []);
    } catch (err) {
      if (seq !== page.diffSeq || !isCurrent()) return;
      fill(diffHead, h("p", { class: "inline-status is-error", role: "alert" }, describeError(err, "Loading the diff")));
      fill(diffBody);
    } finally {
      if (seq === page.diffSeq) diffBody.removeAttribute("aria-busy");
    }
    if (chosen) diffCard.scrollIntoView({ block: "nearest", behavior: "smooth" });
  };
}

/** The From/To selects list `entries` (newest first); a choice still listed stays chosen. */
export function fillVersionSelects(fromSel, toSel, entries) {
  const from = fromSel.value;
  const to = toSel.value;
  fill(fromSel, h("option", { value: "" }, "The version before “To”"), entries.map((e) => h("option", { value: e.commit }, optionLabel(e))));
  fill(toSel, entries.map((e) => h("option", { value: e.commit }, optionLabel(e))));
  fromSel.value = entries.some((e) => e.commit === from) ? from : "";
  if (entries.some((e) => e.commit === to)) toSel.value = to;
}
