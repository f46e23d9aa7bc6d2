// The fleet page's collectors panel: shown only when the core runs with remote collectors (a nats: block).

import { getJson, tenantUrl } from "./api.js";
import { fill, h } from "./dom.js";
import { timeEl } from "./format.js";
import { session } from "./session.js";

/** A hidden section that fills itself from GET /collectors; `refresh()` reloads it. */
export function collectorsPanel() {
  const warn = h("ul", { class: "collector-warnings" });
  const tbody = h("tbody");
  const table = h(
    "table",
    { class: "fleet collectors" },
    h("caption", { class: "visually-hidden" }, "Remote collectors serving this tenant's sites"),
    h("thead", {}, h("tr", {}, ["Site", "Collector", "State", "Last seen", "Jobs in flight", "Version"].map((c) => h("th", { scope: "col" }, c)))),
    tbody,
  );
  const el = h("section", { class: "collectors-panel", "aria-label": "Collectors", hidden: true }, h("h2", {}, "Collectors"), warn, h("div", { class: "table-wrap" }, table));
  const refresh = async () => {
    let data;
    try {
      data = await getJson(tenantUrl(session, "/collectors"));
    } catch {
      return; // the devices table reports API trouble; this panel just keeps what it showed
    }
    el.hidden = !data.remote;
    if (!data.remote) return;
    fill(
      warn,
      data.sites
        .filter((s) => s.live_collectors === 0)
        .map((s) => h("li", { class: "notice notice-error" }, `Site ${s.site}: no live collector. Its ${s.devices} device${s.devices === 1 ? "" : "s"} fail with no_collector until one runs (rosarchive collector --site ${s.site}).`)),
    );
    fill(
      tbody,
      data.collectors.map((c) =>
        h(
          "tr",
          { class: c.live ? "" : "state-row-failing" },
          h("td", { dataset: { label: "Site" } }, c.site),
          h("td", { dataset: { label: "Collector" } }, h("code", {}, c.id)),
          h("td", { dataset: { label: "State" } }, h("span", { class: `badge state-${c.live ? "ok" : "failing"}` }, h("span", { class: "badge-dot", "aria-hidden": "true" }), c.live ? "live" : "silent")),
          h("td", { dataset: { label: "Last seen" } }, timeEl(c.last_seen, "—")),
          h("td", { dataset: { label: "Jobs in flight" } }, `${c.in_flight} / ${c.concurrency}`),
          h("td", { dataset: { label: "Version" } }, c.version),
        ),
      ),
    );
    if (data.collectors.length === 0) fill(tbody, h("tr", {}, h("td", { colspan: "6", class: "muted" }, "No collector has announced itself yet.")));
  };
  return { el, refresh };
}
