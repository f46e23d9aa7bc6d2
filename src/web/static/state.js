// What the page knows: devices of the tenant, the current view and what it listens for.

import { deviceUrl, getJson, tenantUrl } from "./api.js";
import { session } from "./session.js";

export const POLL_MS = 20000;

/** Devices per page of the fleet list: the first render costs this many rows, whatever the fleet's size. */
export const FLEET_PAGE = 50;
/** The API's largest page. */
const API_PAGE_MAX = 1000;
/** What the fleet group filter calls the devices without a group. */
export const NO_GROUP = "(none)";

const emptyFleet = () => ({ ids: [], next: null, total: 0, counts: null, groups: [], sites: [], loaded: false });

export const store = {
  /** @type {Map<string, any>} device id → device view as the API returned it last (the fleet's rows, the device page) */
  devices: new Map(),
  /**
   * The fleet list for the current filter, as the server pages it: ids in
   * order, the cursor of the next page, how many match, and the tenant's
   * counts, groups and sites.
   */
  fleet: emptyFleet(),
  /** state "" = every active device; "retired" = the retired ones. */
  filter: { state: "", group: "", site: "", q: "", policy: "" },
  /** device id → {kind: "ok"|"error"|"pending", text, commit?} of the last "back up now" */
  backups: new Map(),
  /** Versions per history page (the API's `limit`). */
  historyPage: 25,
};

/** Forgets the signed-out session's devices. */
export function clearStore() {
  store.devices.clear();
  store.fleet = emptyFleet();
  store.backups.clear();
}

/** What the current view wants to hear about; replaced on every route change. */
export let view = { kind: "none", cleanup: [], onDevice: null, onCommit: null };

export function setView(kind, hooks = {}) {
  for (const fn of view.cleanup) fn();
  view = { kind, cleanup: [], onDevice: null, onCommit: null, ...hooks };
  return view;
}

export function mergeDevice(d) {
  if (!d || typeof d.id !== "string") return;
  store.devices.set(d.id, { ...store.devices.get(d.id), ...d });
}

/** The device list route for the current filter: the server filters and pages, so a page costs the same at any fleet size. */
function listUrl(cursor, limit) {
  const f = store.filter;
  const p = new URLSearchParams({ limit: String(limit), state: f.state || "active" });
  if (f.group) p.set("group", f.group === NO_GROUP ? "" : f.group);
  if (f.site) p.set("site", f.site);
  if (f.q) p.set("q", f.q);
  if (f.policy) p.set("policy", f.policy);
  if (cursor) p.set("cursor", cursor);
  return tenantUrl(session, `/devices?${p}`);
}

let listing = null;

/**
 * Loads the fleet list for the current filter from its start, as many rows
 * as `keep` (a refresh keeps what was scrolled to) and at least one page. A
 * newer call (the next keystroke) aborts this one: resolves false then.
 */
export async function loadDevices({ keep = 0 } = {}) {
  listing?.abort();
  const ctrl = (listing = new AbortController());
  const want = Math.max(FLEET_PAGE, keep);
  const ids = [];
  let body;
  let cursor = null;
  try {
    do {
      body = await getJson(listUrl(cursor, Math.min(want - ids.length, API_PAGE_MAX)), { signal: ctrl.signal });
      if (ctrl !== listing) return false;
      for (const d of body.devices ?? []) {
        mergeDevice(d);
        ids.push(d.id);
      }
      cursor = body.next ?? null;
    } while (cursor && ids.length < want);
  } catch (err) {
    if (ctrl.signal.aborted) return false;
    throw err;
  }
  store.fleet = { ids, next: cursor, total: body.total ?? ids.length, counts: body.counts ?? null, groups: body.groups ?? [], sites: body.sites ?? [], loaded: true };
  return true;
}

/** Appends the next page of the fleet list; false when there is none or the filter changed meanwhile. */
export async function loadMoreDevices() {
  const fleet = store.fleet;
  if (!fleet.next) return false;
  const ctrl = listing;
  const body = await getJson(listUrl(fleet.next, FLEET_PAGE), ctrl ? { signal: ctrl.signal } : {});
  if (store.fleet !== fleet || listing !== ctrl) return false;
  for (const d of body.devices ?? []) mergeDevice(d);
  const seen = new Set(fleet.ids);
  store.fleet = { ...fleet, ids: [...fleet.ids, ...(body.devices ?? []).map((d) => d.id).filter((id) => !seen.has(id))], next: body.next ?? null, total: body.total ?? fleet.total, counts: body.counts ?? fleet.counts };
  return true;
}

/** Every active device's id in id order (the compare choice), read a page at a time whatever the fleet filter. */
export async function allDeviceIds() {
  const ids = [];
  let cursor = null;
  do {
    const p = new URLSearchParams({ limit: String(API_PAGE_MAX) });
    if (cursor) p.set("cursor", cursor);
    const body = await getJson(tenantUrl(session, `/devices?${p}`));
    for (const d of body.devices ?? []) {
      mergeDevice(d);
      ids.push(d.id);
    }
    cursor = body.next ?? null;
  } while (cursor);
  return ids;
}

export async function refreshDevice(id) {
  try {
    const d = await getJson(deviceUrl(id));
    mergeDevice(d);
    view.onDevice?.(id);
  } catch {
    /* the next poll or event tries again */
  }
}
