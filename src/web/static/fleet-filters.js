// The fleet page's filter menus and state tiles, filled from what the server says the tenant uses.

import { fill, h } from "./dom.js";
import { RETIRED, STATES } from "./format.js";
import { NO_GROUP, store } from "./state.js";
import { policyOptions } from "./policy-cell.js";

/**
 * Sets the filter controls to `f` (the store's filter) and re-fills the menus
 * when what they list changed (not on every keystroke). `memo` keeps what
 * they were last filled with. A chosen group, site or check the tenant no
 * longer shows stays listed, so each menu says what filters the list.
 */
export function syncFilterMenus(els, f, memo) {
  const fleet = store.fleet;
  els.stateSel.value = f.state;
  if (document.activeElement !== els.search) els.search.value = f.q;
  const policy = policyOptions([...store.devices.values()]);
  const key = JSON.stringify([fleet.groups, fleet.sites, f.group, f.site, f.policy, policy.flat(Infinity).map((o) => o.value)]);
  if (key === memo.menus) return;
  memo.menus = key;
  const groups = f.group && f.group !== NO_GROUP && !fleet.groups.includes(f.group) ? [...fleet.groups, f.group] : fleet.groups;
  fill(els.groupSel, h("option", { value: "" }, "All groups"), groups.map((g) => h("option", { value: g }, g)), h("option", { value: NO_GROUP }, "(no group)"));
  els.groupSel.value = f.group;
  const sites = f.site && !fleet.sites.includes(f.site) ? [...fleet.sites, f.site] : fleet.sites;
  fill(els.siteSel, h("option", { value: "" }, "All sites"), sites.map((x) => h("option", { value: x }, x)));
  els.siteSel.value = f.site;
  // The checks seen failing on the rows loaded so far; a chosen one stays listed while it filters.
  fill(els.policySel, policy, f.policy && !policy.flat(Infinity).some((o) => o.value === f.policy) ? h("option", { value: f.policy }, f.policy.startsWith("check:") ? `Failing ${f.policy.slice(6)}` : f.policy) : null);
  els.policySel.value = f.policy;
}

/** The tiles counting the tenant's devices by state; a tile toggles that state's filter through `pick`. */
export function stateTiles(tiles, f, pick) {
  const counts = store.fleet.counts ?? {};
  const tile = (value, label, n) =>
    h(
      "button",
      { type: "button", class: `tile${value ? ` tile-${value}` : ""}`, "aria-pressed": String(f.state === value), onclick: () => pick(f.state === value ? "" : value) },
      h("span", { class: "tile-n" }, String(n ?? 0)),
      h("span", { class: "tile-label" }, label),
    );
  fill(tiles, tile("", "devices", counts.active), STATES.map((s) => tile(s, s, counts[s])), counts[RETIRED] > 0 ? tile(RETIRED, RETIRED, counts[RETIRED]) : null);
}
