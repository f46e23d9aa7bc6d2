// The fleet page's frame: heading, actions, search, tiles, filters, the table and the collectors below.

import { backupAll } from "./actions.js";
import { $, fill, h } from "./dom.js";
import { RETIRED, STATES } from "./format.js";
import { session } from "./session.js";
import { NO_GROUP, store } from "./state.js";
import { collectorsPanel } from "./collectors-panel.js";
import { searchPanel } from "./fleet-search.js";
import { headerRow } from "./fleet-rows.js";

/** Builds the page into #view and hands back the parts the view fills and listens to. */
export function fleetLayout() {
  const title = h("h1", { tabindex: "-1" }, "Fleet");
  const els = {
    sub: h("p", { class: "muted" }),
    tiles: h("div", { class: "tiles", role: "group", "aria-label": "Devices by state" }),
    stateSel: h("select", { id: "filter-state" }, h("option", { value: "" }, "All active"), STATES.map((s) => h("option", { value: s }, s)), h("option", { value: RETIRED }, "retired")),
    groupSel: h("select", { id: "filter-group" }),
    siteSel: h("select", { id: "filter-site" }),
    search: h("input", { id: "filter-q", type: "search", placeholder: "Name or host", autocomplete: "off", spellcheck: "false" }),
    policySel: h("select", { id: "filter-policy" }),
    notice: h("p", { class: "notice", role: "status", hidden: true }),
    tbody: h("tbody"),
    collectors: collectorsPanel(),
    empty: h("p", { class: "empty", hidden: true }),
    more: h("button", { type: "button", class: "btn btn-quiet", id: "fleet-more", hidden: true }, "Show more devices"),
  };
  const allNotice = h("p", { class: "notice", role: "status", hidden: true, id: "backup-all-result" });
  const table = h("table", { class: "fleet" }, h("caption", { class: "visually-hidden" }, `Devices of tenant ${session.tenant}`), h("thead", {}, headerRow()), els.tbody);
  const field = (id, label, control, extra = "") => h("div", { class: `field inline${extra}` }, h("label", { for: id }, label), control);
  fill(
    $("#view"),
    h(
      "div",
      { class: "page-head" },
      h("div", {}, title, els.sub),
      h(
        "div",
        { class: "head-actions" },
        h("button", { type: "button", class: "btn btn-quiet", id: "backup-all", onclick: () => backupAll(store.filter.group && store.filter.group !== NO_GROUP ? store.filter.group : "", allNotice) }, "Back up all now"),
        h("a", { class: "btn btn-quiet", href: "#/sources", id: "sources-link" }, "Inventory sources"),
      ),
    ),
    allNotice,
    searchPanel().el,
    els.tiles,
    h(
      "div",
      { class: "toolbar", role: "search", "aria-label": "Filter devices" },
      field("filter-state", "State", els.stateSel),
      field("filter-group", "Group", els.groupSel),
      field("filter-site", "Site", els.siteSel),
      field("filter-policy", "Policy", els.policySel),
      field("filter-q", "Search", els.search, " grow"),
    ),
    els.notice,
    h("div", { class: "table-wrap" }, table),
    h("div", { class: "fleet-more" }, els.more),
    els.empty,
    els.collectors.el,
  );
  title.focus({ preventScroll: true });
  return els;
}
