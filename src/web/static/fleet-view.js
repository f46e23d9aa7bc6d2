// The fleet page: every device of the tenant with its state, filters and "back up now".

import { describeError } from "./api.js";
import { keepChildren } from "./dom.js";
import { session } from "./session.js";
import { loadDevices, loadMoreDevices, POLL_MS, setView, store, view } from "./state.js";
import { fleetLayout } from "./fleet-layout.js";
import { syncFilterMenus, stateTiles } from "./fleet-filters.js";
import { fillRow, makeRow } from "./fleet-rows.js";

/** A refresh of the list after live events, at most this often (counts and membership may have changed). */
const EVENT_REFRESH_MS = 3000;

export function renderFleet() {
  const v = setView("fleet");
  document.title = `Fleet · ${session.tenant} · rosarchive`;
  const { sub, tiles, stateSel, groupSel, siteSel, search, policySel, notice, tbody, collectors, empty, more } = fleetLayout();
  /** Rows made so far, by device: re-filled, never rebuilt, when the list changes. */
  const rows = new Map();
  const f = store.filter;

  // The menus list what the server says the tenant uses; a choice that is gone falls back to "all".
  const memo = { menus: "" };
  const syncFilters = () => syncFilterMenus({ stateSel, groupSel, siteSel, search, policySel }, f, memo);
  const renderTiles = () =>
    stateTiles(tiles, f, (state) => {
      f.state = state;
      stateSel.value = f.state;
      void load();
    });

  const renderRows = () => {
    renderTiles();
    const fleet = store.fleet;
    const shown = fleet.ids.map((id) => store.devices.get(id)).filter(Boolean);
    for (const d of shown) {
      const tr = rows.get(d.id);
      if (!tr) rows.set(d.id, makeRow(d));
      else fillRow(tr, d);
    }
    keepChildren(tbody, shown.map((d) => rows.get(d.id)));
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
