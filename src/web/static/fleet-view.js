// The fleet page: every device of the tenant with its state, filters and "back up now".

import { backupAll, backupNow, backupResultEl } from "./actions.js";
import { describeError, enc } from "./api.js";
import { $, fill, h } from "./dom.js";
import { RETIRED, short, stateBadge, STATES, timeEl } from "./format.js";
import { session } from "./session.js";
import { loadDevices, POLL_MS, setView, store, view } from "./state.js";
import { collectorsPanel } from "./collectors-panel.js";
import { searchPanel } from "./fleet-search.js";
import { policyCell, policyMatches, policyOptions } from "./policy-cell.js";

const NO_GROUP = "(none)";
const COLUMNS = ["Device", "State", "Site", "Source", "RouterOS", "Last success", "Last change", "Next run", "Policy"];
/** Short words for the error codes (as in rosarchive_backups_total{result}); anything else is shown as its code. */
const ERROR_TEXT = {
  host_key_mismatch: "host key changed",
  auth_failed: "authentication failed",
  unreachable: "unreachable",
  timeout: "timed out",
  invalid_output: "unexpected export output",
  no_collector: "no live collector for its site",
  error: "internal error",
};

export function renderFleet() {
  const v = setView("fleet");
  document.title = `Fleet · ${session.tenant} · rosarchive`;
  const title = h("h1", { tabindex: "-1" }, "Fleet");
  const sub = h("p", { class: "muted" });
  const tiles = h("div", { class: "tiles", role: "group", "aria-label": "Devices by state" });
  const stateSel = h("select", { id: "filter-state" }, h("option", { value: "" }, "All active"), STATES.map((s) => h("option", { value: s }, s)), h("option", { value: RETIRED }, "retired"));
  const groupSel = h("select", { id: "filter-group" });
  const siteSel = h("select", { id: "filter-site" });
  const search = h("input", { id: "filter-q", type: "search", placeholder: "Name or host", autocomplete: "off", spellcheck: "false" });
  const policySel = h("select", { id: "filter-policy" });
  const configSearch = searchPanel();
  const notice = h("p", { class: "notice", role: "status", hidden: true });
  const allNotice = h("p", { class: "notice", role: "status", hidden: true, id: "backup-all-result" });
  const tbody = h("tbody");
  const collectors = collectorsPanel();
  const empty = h("p", { class: "empty", hidden: true });
  const table = h(
    "table",
    { class: "fleet" },
    h("caption", { class: "visually-hidden" }, `Devices of tenant ${session.tenant}`),
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col" }, c)), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
    tbody,
  );
  fill(
    $("#view"),
    h("div", { class: "page-head" }, h("div", {}, title, sub), h(
        "div",
        { class: "head-actions" },
        h("button", { type: "button", class: "btn btn-quiet", id: "backup-all", onclick: () => backupAll(store.filter.group && store.filter.group !== NO_GROUP ? store.filter.group : "", allNotice) }, "Back up all now"),
        h("a", { class: "btn btn-quiet", href: "#/sources", id: "sources-link" }, "Inventory sources"),
      ),
    ),
    allNotice,
    configSearch.el,
    tiles,
    h(
      "div",
      { class: "toolbar", role: "search", "aria-label": "Filter devices" },
      h("div", { class: "field inline" }, h("label", { for: "filter-state" }, "State"), stateSel),
      h("div", { class: "field inline" }, h("label", { for: "filter-group" }, "Group"), groupSel),
      h("div", { class: "field inline" }, h("label", { for: "filter-site" }, "Site"), siteSel),
      h("div", { class: "field inline" }, h("label", { for: "filter-policy" }, "Policy"), policySel),
      h("div", { class: "field inline grow" }, h("label", { for: "filter-q" }, "Search"), search),
    ),
    notice,
    h("div", { class: "table-wrap" }, table),
    empty,
    collectors.el,
  );
  title.focus({ preventScroll: true });

  const rows = new Map();
  const f = store.filter;

  const syncFilters = () => {
    stateSel.value = f.state;
    const groups = [...new Set(store.order.map((id) => store.devices.get(id)?.group ?? NO_GROUP))].sort();
    fill(groupSel, h("option", { value: "" }, "All groups"), groups.map((g) => h("option", { value: g }, g === NO_GROUP ? "(no group)" : g)));
    if (f.group && !groups.includes(f.group)) f.group = "";
    groupSel.value = f.group;
    const sites = [...new Set(store.order.map((id) => store.devices.get(id)?.site ?? "default"))].sort();
    fill(siteSel, h("option", { value: "" }, "All sites"), sites.map((x) => h("option", { value: x }, x)));
    if (f.site && !sites.includes(f.site)) f.site = "";
    siteSel.value = f.site;
    search.value = f.q;
    const devices = store.order.map((id) => store.devices.get(id)).filter(Boolean);
    fill(policySel, policyOptions(devices));
    if (f.policy && ![...policySel.options].some((o) => o.value === f.policy)) f.policy = "";
    policySel.value = f.policy;
  };

  // "All active" leaves retired devices out; they show with the "retired" filter.
  const matches = (d) =>
    (f.state ? d.status === f.state : d.status !== RETIRED) &&
    (!f.group || (d.group ?? NO_GROUP) === f.group) &&
    (!f.site || (d.site ?? "default") === f.site) &&
    policyMatches(d, f.policy) &&
    (!f.q || d.id.includes(f.q.toLowerCase()) || String(d.host ?? "").toLowerCase().includes(f.q.toLowerCase()));

  const renderTiles = () => {
    const counts = Object.fromEntries([...STATES, RETIRED].map((s) => [s, 0]));
    for (const id of store.order) counts[store.devices.get(id)?.status] = (counts[store.devices.get(id)?.status] ?? 0) + 1;
    const active = store.order.length - counts[RETIRED];
    const tile = (value, label, n) =>
      h(
        "button",
        { type: "button", class: `tile${value ? ` tile-${value}` : ""}`, "aria-pressed": String(f.state === value), onclick: () => {
          f.state = f.state === value ? "" : value;
          stateSel.value = f.state;
          renderRows();
        } },
        h("span", { class: "tile-n" }, String(n)),
        h("span", { class: "tile-label" }, label),
      );
    fill(tiles, tile("", "devices", active), STATES.map((s) => tile(s, s, counts[s] ?? 0)), counts[RETIRED] > 0 ? tile(RETIRED, RETIRED, counts[RETIRED]) : null);
  };

  const fillRow = (tr, d) => {
    const [cName, cState, cSite, cSource, cVer, cSuccess, cChange, cNext, cPolicy] = [...tr.children].slice(0, COLUMNS.length).map((td) => td.firstChild);
    const retired = d.status === RETIRED;
    fill(
      cName,
      h("a", { class: "device-link", href: `#/devices/${enc(d.id)}` }, d.id),
      h("span", { class: "sub" }, `${d.host}${d.port && d.port !== 22 ? `:${d.port}` : ""}`, d.group ? h("span", { class: "group-tag" }, d.group) : null),
    );
    const reason = d.last_error && d.status !== "ok" ? h("span", { class: "reason", title: `${d.last_error.code}: ${d.last_error.message}` }, ERROR_TEXT[d.last_error.code] ?? d.last_error.code) : null;
    fill(cState, stateBadge(d.status), d.enabled === false && !retired ? h("span", { class: "sub" }, "disabled") : null, reason, retired ? h("span", { class: "sub" }, "since ", timeEl(d.retired_at)) : null);
    fill(cSite, d.site ?? "default");
    fill(cSource, d.source === "config" || !d.source ? h("span", { class: "muted" }, "config") : d.source);
    fill(cVer, d.routeros_version ? h("span", {}, d.routeros_version) : h("span", { class: "muted" }, "—"));
    fill(cSuccess, timeEl(d.last_success, "never"));
    fill(cChange, timeEl(d.last_change, "—"), d.last_change_commit ? h("code", { class: "sub" }, short(d.last_change_commit)) : null);
    fill(cNext, d.status === "blocked" ? h("span", { class: "muted" }, "held") : retired ? h("span", { class: "muted" }, "—") : timeEl(d.next_run, "—", true));
    fill(cPolicy, policyCell(d));
    const actions = tr.children[COLUMNS.length];
    const pending = store.backups.get(d.id)?.kind === "pending";
    const btn = actions.querySelector("button");
    btn.disabled = pending;
    btn.hidden = retired;
    btn.textContent = pending ? "Backing up…" : "Back up now";
    actions.querySelector(".backup-result").replaceWith(backupResultEl(d.id));
    tr.className = `state-row-${d.status}`;
  };

  const makeRow = (d) => {
    const labels = COLUMNS;
    const btn = h("button", { type: "button", class: "btn btn-small", "aria-label": `Back up ${d.id} now`, onclick: () => backupNow(d.id) }, "Back up now");
    const tr = h("tr", { dataset: { device: d.id } }, labels.map((l) => h("td", { dataset: { label: l } }, h("div", { class: "cell" }))), h("td", { class: "actions" }, btn, h("div", { class: "backup-result" })));
    fillRow(tr, d);
    return tr;
  };

  const renderRows = () => {
    renderTiles();
    const shown = store.order.map((id) => store.devices.get(id)).filter((d) => d && matches(d));
    for (const d of shown) {
      if (!rows.has(d.id)) rows.set(d.id, makeRow(d));
    }
    fill(tbody, ...shown.map((d) => rows.get(d.id)));
    const total = store.order.filter((id) => store.devices.get(id)?.status !== RETIRED).length;
    sub.textContent = `${total} device${total === 1 ? "" : "s"} in tenant ${session.tenant}${shown.length !== total ? ` · ${shown.length} shown` : ""}`;
    empty.hidden = shown.length > 0 || !store.loaded;
    empty.textContent = total === 0 ? "This tenant has no devices configured." : "No device matches these filters.";
  };

  stateSel.addEventListener("change", () => {
    f.state = stateSel.value;
    renderRows();
  });
  groupSel.addEventListener("change", () => {
    f.group = groupSel.value;
    renderRows();
  });
  siteSel.addEventListener("change", () => {
    f.site = siteSel.value;
    renderRows();
  });
  policySel.addEventListener("change", () => {
    f.policy = policySel.value;
    renderRows();
  });
  search.addEventListener("input", () => {
    f.q = search.value.trim();
    renderRows();
  });

  v.onDevice = (id) => {
    if (id === null || !rows.has(id)) {
      syncFilters();
      renderRows();
      return;
    }
    const d = store.devices.get(id);
    if (!d) return;
    fillRow(rows.get(id), d);
    if (matches(d) !== (rows.get(id).parentNode === tbody)) renderRows();
    else renderTiles();
    const tr = rows.get(id);
    tr.classList.remove("flash");
    void tr.offsetWidth;
    tr.classList.add("flash");
  };

  const load = async (first) => {
    try {
      await loadDevices();
      if (view !== v) return;
      notice.hidden = true;
      syncFilters();
      for (const id of store.order) if (rows.has(id)) fillRow(rows.get(id), store.devices.get(id));
      renderRows();
    } catch (err) {
      if (view !== v || !session) return;
      notice.hidden = false;
      notice.className = "notice notice-error";
      notice.textContent = describeError(err, first ? "Loading the devices" : "Refreshing the devices");
    }
  };
  if (store.loaded) {
    syncFilters();
    renderRows();
  } else {
    sub.textContent = "Loading devices…";
  }
  void load(true);
  void collectors.refresh();
  const poll = setInterval(() => {
    if (document.visibilityState !== "visible") return;
    void load(false);
    void collectors.refresh();
  }, POLL_MS);
  v.cleanup.push(() => clearInterval(poll));
}
