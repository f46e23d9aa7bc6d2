// The device page's frame: heading and actions, facts and block slots, the history and diff cards.
// Built once per visit; device-view.js fills the slots and wires the behaviour.

import { backupNow, downloadVersion } from "./actions.js";
import { comparePanel } from "./compare-panel.js";
import { $, fill, h } from "./dom.js";
import { lineView } from "./line-view.js";
import { store } from "./state.js";

const PAGE_SIZES = [10, 25, 50, 100];

/** Render the empty page of device `id` into #view and hand back the elements that get filled later. */
export function deviceLayout(id, { at, line }) {
  const title = h("h1", { tabindex: "-1" }, id);
  const headBadge = h("span", { class: "head-badge" });
  const backupBtn = h("button", { type: "button", class: "btn btn-primary", onclick: () => backupNow(id) }, "Back up now");
  const dlLatestOut = h("span", { class: "inline-status", role: "status" });
  const dlLatest = h("button", { type: "button", class: "btn", onclick: () => downloadVersion(id, null, dlLatestOut) }, "Download latest .rsc");
  const compare = comparePanel(id);
  const compareBtn = h("button", { type: "button", class: "btn", onclick: () => compare.open() }, "Compare with…");
  const backupOut = h("div", { class: "backup-slot" });
  const facts = h("dl", { class: "facts" });
  const blocked = h("div", { class: "blocked-slot" });
  const notice = h("p", { class: "notice notice-error", role: "alert", hidden: true });

  // Compare form
  const fromSel = h("select", { id: "diff-from" });
  const toSel = h("select", { id: "diff-to" });
  const compareForm = h(
    "form",
    { class: "compare", "aria-label": "Compare two versions" },
    h("div", { class: "field inline" }, h("label", { for: "diff-from" }, "From"), fromSel),
    h("div", { class: "field inline" }, h("label", { for: "diff-to" }, "To"), toSel),
    h("button", { type: "submit", class: "btn" }, "Compare"),
  );
  const diffHead = h("div", { class: "diff-head" });
  const diffBody = h("div", { class: "diff", id: "diff", "aria-live": "off" });
  const diffCard = h("section", { class: "card diff-card", "aria-labelledby": "diff-title" }, h("h2", { id: "diff-title" }, "Changes"), compareForm, diffHead, diffBody);

  const timeline = h("ol", { class: "timeline", "aria-label": "Versions, newest first" });
  const olderBtn = h("button", { type: "button", class: "btn btn-block", hidden: true }, "Older versions");
  const timelineStatus = h("p", { class: "muted", role: "status" }, "Loading history…");
  const perPage = h("select", { id: "history-page", value: store.historyPage }, PAGE_SIZES.map((n) => h("option", { value: n }, String(n))));
  const timelineCard = h(
    "section",
    { class: "card timeline-card", "aria-labelledby": "timeline-title" },
    h("div", { class: "card-head" }, h("h2", { id: "timeline-title" }, "History"), h("div", { class: "field inline per-page" }, h("label", { for: "history-page" }, "Per page"), perPage)),
    timelineStatus,
    timeline,
    olderBtn,
  );

  fill(
    $("#view"),
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/devices" }, "Fleet"), h("span", { "aria-hidden": "true" }, " / "), h("span", { "aria-current": "page" }, id)),
    h("div", { class: "page-head" }, h("div", { class: "title-row" }, title, headBadge), h("div", { class: "head-actions" }, backupBtn, dlLatest, compareBtn)),
    h("div", { class: "under-head" }, backupOut, dlLatestOut),
    notice,
    blocked,
    h("section", { class: "card facts-card", "aria-label": "Device facts" }, facts),
    at && line ? lineView(id, at, line).el : null,
    h("div", { class: "device-grid" }, timelineCard, diffCard),
    compare.el,
  );
  title.focus({ preventScroll: true });
  return { headBadge, backupBtn, backupOut, facts, blocked, notice, fromSel, toSel, compareForm, diffHead, diffBody, diffCard, timeline, olderBtn, timelineStatus, perPage };
}
