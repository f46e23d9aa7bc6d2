// Live updates: the tenant's event stream, read with fetch() because EventSource
// cannot send an Authorization header; reconnects with Last-Event-ID.

import { tenantUrl, tokenRejected } from "./api.js";
import { $, announce } from "./dom.js";
import { short } from "./format.js";
import { session } from "./session.js";
import { loadDevices, mergeDevice, refreshDevice, store, view } from "./state.js";

const live = { ctrl: null, lastId: null, gen: 0 };

function setLive(stateName, text) {
  const el = $("#live");
  el.dataset.state = stateName;
  $("#live-text").textContent = text;
}

export function stopEvents() {
  live.gen += 1;
  live.ctrl?.abort();
  live.ctrl = null;
  live.lastId = null;
  setLive("off", "Offline");
}

/** Reads the tenant's SSE stream with fetch (the token goes in a header); reconnects with back-off and Last-Event-ID. */
export async function runEvents() {
  const gen = ++live.gen;
  const mine = session;
  let attempt = 0;
  while (gen === live.gen && session === mine) {
    const ctrl = new AbortController();
    live.ctrl = ctrl;
    try {
      const headers = { Authorization: `Bearer ${mine.token}`, Accept: "text/event-stream" };
      if (live.lastId !== null) headers["Last-Event-ID"] = live.lastId;
      const res = await fetch(tenantUrl(mine, "/events"), { headers, cache: "no-store", signal: ctrl.signal });
      if (res.status === 401) {
        if (session === mine) tokenRejected();
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      if (attempt > 0) void catchUp();
      attempt = 0;
      setLive("on", "Live");
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut).replace(/^\r?\n\r?\n/, "");
          handleSseBlock(block);
        }
      }
    } catch {
      if (ctrl.signal.aborted) return;
    }
    if (gen !== live.gen || session !== mine) return;
    attempt += 1;
    const wait = Math.min(30000, 1000 * 2 ** Math.min(attempt - 1, 5));
    setLive("retry", "Reconnecting…");
    await new Promise((r) => setTimeout(r, wait));
  }
}

function handleSseBlock(block) {
  let id = null;
  let event = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === "" || line.startsWith(":")) continue;
    const i = line.indexOf(":");
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
    if (field === "id") id = value;
    else if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (id !== null) live.lastId = id;
  if (data.length === 0) return;
  // The server cannot replay what we missed (it restarted, or too much happened): reload what is shown.
  if (event === "reset") {
    void catchUp();
    return;
  }
  let ev;
  try {
    ev = JSON.parse(data.join("\n"));
  } catch {
    return;
  }
  onEvent(ev.event ?? event, ev);
}

/** After a reconnect: what the stream could not replay is fetched. */
async function catchUp() {
  try {
    if (await loadDevices({ keep: store.fleet.ids.length })) view.onDevice?.(null);
  } catch {
    /* next poll */
  }
}

function onEvent(name, ev) {
  if (!session || ev.tenant !== session.tenant || typeof ev.device !== "string") return;
  const id = ev.device;
  const d = store.devices.get(id);
  if (name === "config.changed") {
    if (d) {
      mergeDevice({
        id,
        status: "ok",
        last_error: null,
        presented_host_key: null,
        last_success: ev.collected_at ?? d.last_success,
        last_attempt: ev.collected_at ?? d.last_attempt,
        last_change: ev.collected_at ?? d.last_change,
        last_change_commit: ev.commit,
        routeros_version: ev.routeros_version ?? d.routeros_version,
      });
    }
    announce(`${id}: new configuration commit ${short(ev.commit)}`);
    view.onDevice?.(id);
    view.onCommit?.(ev);
  } else if (name === "device.failed" || name === "device.blocked" || name === "device.recovered") {
    if (d) {
      const patch = { id, status: ev.state ?? d.status, last_error: ev.error ?? null };
      if (ev.presented_fingerprint) patch.presented_host_key = ev.presented_fingerprint;
      if (name === "device.recovered") patch.presented_host_key = null;
      mergeDevice(patch);
    }
    announce(`${id}: ${name === "device.recovered" ? "recovered" : `${ev.state}${ev.error?.code ? ` (${ev.error.code})` : ""}`}`);
    view.onDevice?.(id);
  } else if (name === "device.retired") {
    // It left the inventory or the config: its file is gone from main, its history stays.
    mergeDevice({ id, status: "retired", retired_at: ev.time, retired_commit: ev.commit, next_run: null });
    announce(`${id}: retired`);
    view.onDevice?.(id);
    view.onCommit?.(ev);
  } else if (name === "policy.violated" || name === "policy.resolved") {
    // The device route carries the new policy summary.
    announce(`${id}: ${ev.check} ${name === "policy.violated" ? "fails" : "passes again"}`);
  } else {
    return;
  }
  // The event carries the change; the device route has the rest (next run, pinned key).
  void refreshDevice(id);
}
