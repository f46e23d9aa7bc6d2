// What the page knows: devices of the tenant, the current view and what it listens for.

import { deviceUrl, getJson, tenantUrl } from "./api.js";
import { session } from "./session.js";

export const POLL_MS = 20000;

export const store = {
  /** @type {Map<string, any>} device id → device view as the API returns it */
  devices: new Map(),
  order: [],
  loaded: false,
  /** state "" = every active device; "retired" = the retired ones. */
  filter: { state: "", group: "", site: "", q: "", policy: "" },
  /** device id → {kind: "ok"|"error"|"pending", text, commit?} of the last "back up now" */
  backups: new Map(),
  /** Versions per history page (the API's `limit`). */
  historyPage: 25,
};

/** What the current view wants to hear about; replaced on every route change. */
export let view = { kind: "none", cleanup: [], onDevice: null, onCommit: null };

export function setView(kind, hooks = {}) {
  for (const fn of view.cleanup) fn();
  view = { kind, cleanup: [], onDevice: null, onCommit: null, ...hooks };
  return view;
}

export function mergeDevice(d) {
  if (!d || typeof d.id !== "string") return;
  const had = store.devices.get(d.id);
  store.devices.set(d.id, { ...had, ...d });
  if (!had) store.order.push(d.id);
}

export async function loadDevices() {
  // Active and retired devices: the fleet page filters between them.
  const body = await getJson(tenantUrl(session, "/devices?state=all"));
  store.devices.clear();
  store.order = [];
  for (const d of body.devices ?? []) mergeDevice(d);
  store.loaded = true;
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
