// The fleet page: every device of the tenant with its state, filters and "back up now".

import { backupAll, backupNow, backupResultEl } from "./actions.js";
import { describeError, enc } from "./api.js";
import { $, fill, h } from "./dom.js";
import { RETIRED, short, stateBadge, STATES, timeEl } from "./format.js";
import { session } from "./session.js";
import { loadDevices, loadMoreDevices, NO_GROUP, POLL_MS, setView, store, view } from "./state.js";
import { collectorsPanel } from "./collectors-panel.js";
import { searchPanel } from "./fleet-search.js";
import { policyCell, policyOptions } from "./policy-cell.js";

/**
 * The table's columns, in order: a label (the header, and each cell's
 * data-label) and what a cell shows of a device. A new column is one more
 * entry here.
 */
const COLUMNS = [
  { label: "Device", cell: (d) => [h("a", { class: "device-link", href: `#/devices/${enc(d.id)}` }, d.id), h("span", { class: "sub" }, `${d.host}${d.port && d.port !== 22 ? `:${d.port}` : ""}`, d.group ? h("span", { class: "group-tag" }, d.group) : null)] },
  { label: "State", cell: (d) => stateCell(d) },
  { label: "Site", cell: (d) => d.site ?? "default" },
  { label: "Source", cell: (d) => (d.source === "config" || !d.source ? h("span", { class: "muted" }, "config") : d.source) },
  { label: "RouterOS", cell: (d) => (d.routeros_version ? h("span", {}, d.routeros_version) : h("span", { class: "muted" }, "—")) },
  { label: "Last success", cell: (d) => timeEl(d.last_success, "never") },
  { label: "Last change", cell: (d) => [timeEl(d.last_change, "—"), d.last_change_commit ? h("code", { class: "sub" }, short(d.last_change_commit)) : null] },
  { label: "Next run", cell: (d) => (d.status === "blocked" ? h("span", { class: "muted" }, "held") : d.status === RETIRED ? h("span", { class: "muted" }, "—") : timeEl(d.next_run, "—", true)) },
  { label: "Policy", cell: (d) => policyCell(d) },
];
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

function stateCell(d) {
  const retired = d.status === RETIRED;
  const reason = d.last_error && d.status !== "ok" ? h("span", { class: "reason", title: `${d.last_error.code}: ${d.last_error.message}` }, ERROR_TEXT[d.last_error.code] ?? d.last_error.code) : null;
  return [stateBadge(d.status), d.enabled === false && !retired ? h("span", { class: "sub" }, "disabled") : null, reason, retired ? h("span", { class: "sub" }, "since ", timeEl(d.retired_at)) : null];
}

/** A refresh of the list after live events, at most this often (counts and membership may have changed). */
const EVENT_REFRESH_MS = 3000;

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
  const more = h("button", { type: "button", class: "btn btn-quiet", id: "fleet-more", hidden: true }, "Show more devices");
  const table = h(
    "table",
    { class: "fleet" },
    h("caption", { class: "visually-hidden" }, `Devices of tenant ${session.tenant}`),
    h("thead", {}, h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col" }, c.label)), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
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
    h("div", { class: "fleet-more" }, more),
    empty,
    collectors.el,
  );
  title.focus({ preventScroll: true });

  /** Rows made so far, by device: re-filled, never rebuilt, when the list changes. */
  const rows = new Map();
  const f = store.filter;

  // The menus list what the server says the tenant uses; a choice that is gone falls back to "all".
  let menus = "";
  const syncFilters = () => {
    const fleet = store.fleet;
    stateSel.value = f.state;
    if (document.activeElement !== search) search.value = f.q;
    // Rebuilt only when what they list changed (not on every keystroke).
    const policy = policyOptions([...store.devices.values()]);
    const key = JSON.stringify([fleet.groups, fleet.sites, f.group, f.site, f.policy, policy.flat(Infinity).map((o) => o.value)]);
    if (key === menus) return;
    menus = key;
    // A chosen group or site the tenant no longer uses stays listed, so the menu says what filters the list.
    const groups = f.group && f.group !== NO_GROUP && !fleet.groups.includes(f.group) ? [...fleet.groups, f.group] : fleet.groups;
    fill(groupSel, h("option", { value: "" }, "All groups"), groups.map((g) => h("option", { value: g }, g)), h("option", { value: NO_GROUP }, "(no group)"));
    groupSel.value = f.group;
    const sites = f.site && !fleet.sites.includes(f.site) ? [...fleet.sites, f.site] : fleet.sites;
    fill(siteSel, h("option", { value: "" }, "All sites"), sites.map((x) => h("option", { value: x }, x)));
    siteSel.value = f.site;
    // The checks seen failing on the rows loaded so far; a chosen one stays listed while it filters.
    fill(policySel, policy, f.policy && !policy.flat(Infinity).some((o) => o.value === f.policy) ? h("option", { value: f.policy }, f.policy.startsWith("check:") ? `Failing ${f.policy.slice(6)}` : f.policy) : null);
    policySel.value = f.policy;
  };

  const renderTiles = () => {
    const counts = store.fleet.counts ?? {};
    const tile = (value, label, n) =>
      h(
        "button",
        { type: "button", class: `tile${value ? ` tile-${value}` : ""}`, "aria-pressed": String(f.state === value), onclick: () => {
          f.state = f.state === value ? "" : value;
          stateSel.value = f.state;
          void load();
        } },
        h("span", { class: "tile-n" }, String(n ?? 0)),
        h("span", { class: "tile-label" }, label),
      );
    fill(tiles, tile("", "devices", counts.active), STATES.map((s) => tile(s, s, counts[s])), counts[RETIRED] > 0 ? tile(RETIRED, RETIRED, counts[RETIRED]) : null);
  };

  /** What each row was last filled with: a row whose device did not change is left alone. */
  const filled = new WeakMap();
  const fillRow = (tr, d) => {
    const key = JSON.stringify([d, store.backups.get(d.id) ?? null]);
    if (filled.get(tr) === key) return;
    filled.set(tr, key);
    const cells = [...tr.children];
    COLUMNS.forEach((c, i) => fill(cells[i].firstChild, c.cell(d)));
    const actions = cells[COLUMNS.length];
    const pending = store.backups.get(d.id)?.kind === "pending";
    const btn = actions.querySelector("button");
    btn.disabled = pending;
    btn.hidden = d.status === RETIRED;
    btn.textContent = pending ? "Backing up…" : "Back up now";
    actions.querySelector(".backup-result").replaceWith(backupResultEl(d.id));
    tr.className = `state-row-${d.status}`;
  };

  const makeRow = (d) => {
    const btn = h("button", { type: "button", class: "btn btn-small", "aria-label": `Back up ${d.id} now`, onclick: () => backupNow(d.id) }, "Back up now");
    const tr = h("tr", { dataset: { device: d.id } }, COLUMNS.map((c) => h("td", { dataset: { label: c.label } }, h("div", { class: "cell" }))), h("td", { class: "actions" }, btn, h("div", { class: "backup-result" })));
    fillRow(tr, d);
    return tr;
  };

  const renderRows = () => {
    renderTiles();
    const fleet = store.fleet;
    const shown = fleet.ids.map((id) => store.devices.get(id)).filter(Boolean);
    for (const d of shown) {
      const tr = rows.get(d.id);
      if (!tr) rows.set(d.id, makeRow(d));
      else fillRow(tr, d);
    }
    fill(tbody, ...shown.map((d) => rows.get(d.id)));
    const total = fleet.counts?.active ?? 0;
    const filtered = f.state !== "" || f.group !== "" || f.site !== "" || f.q !== "" || f.policy !== "";
    sub.textContent = `${total} device${total === 1 ? "" : "s"} in tenant ${session.tenant}${filtered ? ` · ${fleet.total} shown` : ""}`;
    more.hidden = !fleet.next;
    more.textContent = `Show more devices (${shown.length} of ${fleet.total})`;
    empty.hidden = fleet.total > 0 || !fleet.loaded;
    empty.textContent = total === 0 && !filtered ? "This tenant has no devices configured." : "No device matches these filters.";
  };

  const showError = (err, what) => {
    if (view !== v || !session) return;
    notice.hidden = false;
    notice.className = "notice notice-error";
    notice.textContent = describeError(err, what);
  };

  /** The list for the current filters, from the server; `keep` rows when refreshing what was scrolled to. */
  const load = async ({ keep = 0, first = false } = {}) => {
    try {
      if (!(await loadDevices({ keep }))) return; // a newer filter took over
      if (view !== v) return;
      notice.hidden = true;
      syncFilters();
      renderRows();
    } catch (err) {
      showError(err, first ? "Loading the devices" : "Refreshing the devices");
    }
  };

  let loadingMore = false;
  const showMore = async () => {
    if (loadingMore || !store.fleet.next) return;
    loadingMore = true;
    try {
      if ((await loadMoreDevices()) && view === v) renderRows();
    } catch (err) {
      showError(err, "Loading more devices");
    } finally {
      loadingMore = false;
    }
  };
  more.addEventListener("click", () => void showMore());
  // Scrolling near the end of the list loads the next page.
  if (typeof IntersectionObserver === "function") {
    const seen = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void showMore(), { rootMargin: "600px" });
    seen.observe(more);
    v.cleanup.push(() => seen.disconnect());
  }

  stateSel.addEventListener("change", () => {
    f.state = stateSel.value;
    void load();
  });
  groupSel.addEventListener("change", () => {
    f.group = groupSel.value;
    void load();
  });
  siteSel.addEventListener("change", () => {
    f.site = siteSel.value;
    void load();
  });
  policySel.addEventListener("change", () => {
    f.policy = policySel.value;
    void load();
  });
  // Every keystroke asks the server (the previous request is aborted): a page of matches costs the same at any fleet size.
  search.addEventListener("input", () => {
    f.q = search.value.trim();
    void load();
  });

  // Live events: the row changes at once; counts and membership follow with a refresh, at most every few seconds.
  let refreshAt = 0;
  let refreshTimer = null;
  const refreshSoon = () => {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refreshAt = Date.now();
      void load({ keep: store.fleet.ids.length });
    }, Math.max(0, refreshAt + EVENT_REFRESH_MS - Date.now()));
  };
  v.cleanup.push(() => clearTimeout(refreshTimer));
  v.onDevice = (id) => {
    if (id === null) {
      syncFilters();
      renderRows();
      return;
    }
    const d = store.devices.get(id);
    const tr = rows.get(id);
    if (d && tr && tr.parentNode === tbody) {
      fillRow(tr, d);
      tr.classList.remove("flash");
      void tr.offsetWidth;
      tr.classList.add("flash");
    }
    refreshSoon();
  };

  if (store.fleet.loaded) {
    syncFilters();
    renderRows();
  } else {
    sub.textContent = "Loading devices…";
  }
  void load({ first: true, keep: store.fleet.ids.length });
  void collectors.refresh();
  const poll = setInterval(() => {
    if (document.visibilityState !== "visible") return;
    void load({ keep: store.fleet.ids.length });
    void collectors.refresh();
  }, POLL_MS);
  v.cleanup.push(() => clearInterval(poll));
}
