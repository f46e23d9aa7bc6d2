// rosarchive web UI: hand-written ES modules, no framework, no build step.
// This one holds the app state, live events, the views and routing; session.js,
// api.js, dom.js and format.js hold what they are named for.
//
// Rules this file keeps:
// - The API token lives in sessionStorage only (this tab), is sent as an
//   `Authorization: Bearer` header, and never goes into a URL or a cookie.
// - Every piece of data reaches the page through textContent / text nodes
//   (see h()); innerHTML is never used. Device names, summaries and diffs
//   are untrusted.
// - Live updates read the SSE route with fetch() + a stream reader, because
//   EventSource cannot send an Authorization header.

import { ApiError, api, describeError, deviceUrl, enc, getJson, tenantUrl, whenTokenRejected } from "./api.js";
import { $, announce, append, fill, h } from "./dom.js";
import { STATES, countsEl, fmtAbs, short, stateBadge, timeEl } from "./format.js";
import { ID_PATTERN, clearSession, saveSession, session } from "./session.js";

const PAGE_SIZES = [10, 25, 50, 100];
const SECTIONS_SHOWN = 4;
const DIFF_LINE_CAP = 20000;
const POLL_MS = 20000;
const NO_GROUP = "(none)";
/** Short words for the error codes of SPEC §10; anything else is shown as its code. */
const ERROR_TEXT = {
  host_key_mismatch: "host key changed",
  auth_failed: "authentication failed",
  unreachable: "unreachable",
  timeout: "timed out",
  invalid_output: "unexpected export output",
  error: "internal error",
};

// ---------------------------------------------------------------- app state

const store = {
  /** @type {Map<string, any>} device id → device view as the API returns it */
  devices: new Map(),
  order: [],
  loaded: false,
  filter: { state: "", group: "", q: "" },
  /** device id → {kind: "ok"|"error"|"pending", text, commit?} of the last "back up now" */
  backups: new Map(),
  /** Versions per history page (the API's `limit`). */
  historyPage: 25,
};

/** What the current view wants to hear about; replaced on every route change. */
let view = { kind: "none", cleanup: [], onDevice: null, onCommit: null };

function setView(kind, hooks = {}) {
  for (const fn of view.cleanup) fn();
  view = { kind, cleanup: [], onDevice: null, onCommit: null, ...hooks };
  return view;
}

function mergeDevice(d) {
  if (!d || typeof d.id !== "string") return;
  const had = store.devices.get(d.id);
  store.devices.set(d.id, { ...had, ...d });
  if (!had) store.order.push(d.id);
}

async function loadDevices() {
  const body = await getJson(tenantUrl(session, "/devices"));
  store.devices.clear();
  store.order = [];
  for (const d of body.devices ?? []) mergeDevice(d);
  store.loaded = true;
}

async function refreshDevice(id) {
  try {
    const d = await getJson(deviceUrl(id));
    mergeDevice(d);
    view.onDevice?.(id);
  } catch {
    /* the next poll or event tries again */
  }
}

// ---------------------------------------------------------------- live events

const live = { ctrl: null, lastId: null, gen: 0 };

function setLive(stateName, text) {
  const el = $("#live");
  el.dataset.state = stateName;
  $("#live-text").textContent = text;
}

function stopEvents() {
  live.gen += 1;
  live.ctrl?.abort();
  live.ctrl = null;
  live.lastId = null;
  setLive("off", "Offline");
}

/** Reads the tenant's SSE stream with fetch (the token goes in a header); reconnects with back-off and Last-Event-ID. */
async function runEvents() {
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
        if (session === mine) signOut("Your token is no longer accepted. Sign in again.");
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
    await loadDevices();
    view.onDevice?.(null);
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
  } else {
    return;
  }
  // The event carries the change; the device route has the rest (next run, pinned key).
  void refreshDevice(id);
}

// ---------------------------------------------------------------- actions

async function backupNow(id) {
  store.backups.set(id, { kind: "pending", text: "Backing up…" });
  view.onDevice?.(id);
  let result;
  try {
    const res = await api(deviceUrl(id, "/backup"), { method: "POST" });
    const body = await res.json();
    result = body.changed
      ? { kind: "ok", text: "Changed: new commit ", commit: body.commit }
      : { kind: "ok", text: "Unchanged: still commit ", commit: body.commit };
    announce(`${id}: backup ${body.changed ? "changed" : "unchanged"}`);
  } catch (err) {
    let text;
    if (err instanceof ApiError && err.status === 403) text = "Not allowed: backing up needs an operator or admin token. You are signed in with a viewer token.";
    else if (err instanceof ApiError && err.status >= 500 && err.status !== 501) text = `Backup failed: ${err.code} (${err.message})`;
    else text = describeError(err, "Backup");
    result = { kind: "error", text, code: err instanceof ApiError ? err.code : "error" };
    announce(`${id}: ${text}`);
  }
  store.backups.set(id, result);
  view.onDevice?.(id);
  await refreshDevice(id);
}

function backupResultEl(id) {
  const r = store.backups.get(id);
  const el = h("div", { class: "backup-result", role: "status", dataset: { device: id } });
  if (!r) return el;
  el.classList.add(`is-${r.kind}`);
  append(el, [r.text, r.commit ? h("code", {}, short(r.commit)) : null]);
  return el;
}

function filenameOf(res, fallback) {
  const cd = res.headers.get("content-disposition") ?? "";
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
  let name = fallback;
  try {
    if (m) name = decodeURIComponent(m[1]);
  } catch {
    /* a malformed name: the fallback */
  }
  // Never a path: only the last segment, only ordinary characters.
  return name.split(/[\\/]/).pop().replace(/[^A-Za-z0-9._-]/g, "_") || fallback;
}

/** Downloads one archived version: fetched with the token, saved through a blob URL and a.download. */
async function downloadVersion(id, commit, out) {
  out.textContent = "Preparing download…";
  out.className = "inline-status";
  try {
    const res = await api(deviceUrl(id, `/config${commit ? `?at=${enc(commit)}` : ""}`), { accept: "text/plain" });
    const name = filenameOf(res, `${id}.rsc`);
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    out.textContent = `Downloaded ${name}`;
  } catch (err) {
    out.textContent = describeError(err, "Download");
    out.className = "inline-status is-error";
  }
}

// ---------------------------------------------------------------- sign in

function signOut(message) {
  stopEvents();
  clearSession();
  store.devices.clear();
  store.order = [];
  store.loaded = false;
  store.backups.clear();
  signInMessage = message ?? null;
  $("#session").hidden = true;
  if (location.hash !== "#/signin") location.hash = "#/signin";
  else route();
}

let signInMessage = null;
let afterSignIn = "#/devices";

function renderSignIn() {
  setView("signin");
  document.title = "Sign in · rosarchive";
  const error = h("p", { class: "form-error", id: "signin-error", role: "alert" });
  if (signInMessage) error.textContent = signInMessage;
  signInMessage = null;
  const tenant = h("input", { id: "tenant", name: "tenant", required: true, autocomplete: "off", autocapitalize: "none", spellcheck: "false", placeholder: "e.g. acme", "aria-describedby": "tenant-help" });
  const token = h("input", { id: "token", name: "token", type: "password", required: true, autocomplete: "off", spellcheck: "false", "aria-describedby": "token-help" });
  const submit = h("button", { type: "submit", class: "btn btn-primary btn-block" }, "Sign in");
  const form = h(
    "form",
    { class: "form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "tenant" }, "Tenant"), tenant, h("p", { class: "help", id: "tenant-help" }, "The tenant name from the configuration.")),
    h("div", { class: "field" }, h("label", { for: "token" }, "API token"), token, h("p", { class: "help", id: "token-help" }, "Kept in this browser tab only and sent as a request header.")),
    error,
    submit,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    const t = tenant.value.trim();
    const k = token.value.trim();
    if (!ID_PATTERN.test(t)) {
      error.textContent = "Enter a tenant name: lower-case letters, digits, '.', '_' or '-'.";
      tenant.focus();
      return;
    }
    if (!k) {
      error.textContent = "Enter an API token.";
      token.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      await api(tenantUrl({ tenant: t }, "/devices"), { auth: { tenant: t, token: k } });
      token.value = "";
      saveSession({ tenant: t, token: k });
      startSession();
      if (location.hash === afterSignIn) route();
      else location.hash = afterSignIn;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) error.textContent = "That token was not accepted. Check the token and try again.";
      else if (err instanceof ApiError && err.status === 404) error.textContent = `This token has no access to a tenant named "${t}". Check the tenant name.`;
      else error.textContent = describeError(err, "Sign in");
      submit.disabled = false;
      submit.textContent = "Sign in";
      token.select();
      token.focus();
    }
  });
  fill(
    $("#view"),
    h(
      "section",
      { class: "signin card", "aria-labelledby": "signin-title" },
      h("h1", { id: "signin-title", tabindex: "-1" }, "Sign in"),
      h("p", { class: "lead" }, "The configuration archive of your RouterOS fleet: state, history and diffs of every device."),
      form,
    ),
  );
  tenant.focus();
}

function startSession() {
  $("#session").hidden = false;
  $("#session-tenant").textContent = session.tenant;
  void runEvents();
}

// ---------------------------------------------------------------- fleet page

function renderFleet() {
  const v = setView("fleet");
  document.title = `Fleet · ${session.tenant} · rosarchive`;
  const title = h("h1", { tabindex: "-1" }, "Fleet");
  const sub = h("p", { class: "muted" });
  const tiles = h("div", { class: "tiles", role: "group", "aria-label": "Devices by state" });
  const stateSel = h("select", { id: "filter-state" }, h("option", { value: "" }, "All states"), STATES.map((s) => h("option", { value: s }, s)));
  const groupSel = h("select", { id: "filter-group" });
  const search = h("input", { id: "filter-q", type: "search", placeholder: "Name or host", autocomplete: "off", spellcheck: "false" });
  const notice = h("p", { class: "notice", role: "status", hidden: true });
  const tbody = h("tbody");
  const empty = h("p", { class: "empty", hidden: true });
  const table = h(
    "table",
    { class: "fleet" },
    h("caption", { class: "visually-hidden" }, `Devices of tenant ${session.tenant}`),
    h("thead", {}, h("tr", {}, ["Device", "State", "RouterOS", "Last success", "Last change", "Next run"].map((c) => h("th", { scope: "col" }, c)), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
    tbody,
  );
  fill(
    $("#view"),
    h("div", { class: "page-head" }, h("div", {}, title, sub)),
    tiles,
    h(
      "div",
      { class: "toolbar", role: "search", "aria-label": "Filter devices" },
      h("div", { class: "field inline" }, h("label", { for: "filter-state" }, "State"), stateSel),
      h("div", { class: "field inline" }, h("label", { for: "filter-group" }, "Group"), groupSel),
      h("div", { class: "field inline grow" }, h("label", { for: "filter-q" }, "Search"), search),
    ),
    notice,
    h("div", { class: "table-wrap" }, table),
    empty,
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
    search.value = f.q;
  };

  const matches = (d) =>
    (!f.state || d.status === f.state) &&
    (!f.group || (d.group ?? NO_GROUP) === f.group) &&
    (!f.q || d.id.includes(f.q.toLowerCase()) || String(d.host ?? "").toLowerCase().includes(f.q.toLowerCase()));

  const renderTiles = () => {
    const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
    for (const id of store.order) counts[store.devices.get(id)?.status] = (counts[store.devices.get(id)?.status] ?? 0) + 1;
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
    fill(tiles, tile("", "devices", store.order.length), STATES.map((s) => tile(s, s, counts[s] ?? 0)));
  };

  const fillRow = (tr, d) => {
    const [cName, cState, cVer, cSuccess, cChange, cNext] = [...tr.children].slice(0, 6).map((td) => td.firstChild);
    fill(
      cName,
      h("a", { class: "device-link", href: `#/devices/${enc(d.id)}` }, d.id),
      h("span", { class: "sub" }, `${d.host}${d.port && d.port !== 22 ? `:${d.port}` : ""}`, d.group ? h("span", { class: "group-tag" }, d.group) : null),
    );
    const reason = d.last_error && d.status !== "ok" ? h("span", { class: "reason", title: `${d.last_error.code}: ${d.last_error.message}` }, ERROR_TEXT[d.last_error.code] ?? d.last_error.code) : null;
    fill(cState, stateBadge(d.status), d.enabled === false ? h("span", { class: "sub" }, "disabled") : null, reason);
    fill(cVer, d.routeros_version ? h("span", {}, d.routeros_version) : h("span", { class: "muted" }, "—"));
    fill(cSuccess, timeEl(d.last_success, "never"));
    fill(cChange, timeEl(d.last_change, "—"), d.last_change_commit ? h("code", { class: "sub" }, short(d.last_change_commit)) : null);
    fill(cNext, d.status === "blocked" ? h("span", { class: "muted" }, "held") : timeEl(d.next_run, "—", true));
    const actions = tr.children[6];
    const pending = store.backups.get(d.id)?.kind === "pending";
    const btn = actions.querySelector("button");
    btn.disabled = pending;
    btn.textContent = pending ? "Backing up…" : "Back up now";
    actions.querySelector(".backup-result").replaceWith(backupResultEl(d.id));
    tr.className = `state-row-${d.status}`;
  };

  const makeRow = (d) => {
    const labels = ["Device", "State", "RouterOS", "Last success", "Last change", "Next run"];
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
    const total = store.order.length;
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
  const poll = setInterval(() => document.visibilityState === "visible" && load(false), POLL_MS);
  v.cleanup.push(() => clearInterval(poll));
}

// ---------------------------------------------------------------- device page

function renderDevice(id) {
  const v = setView("device");
  document.title = `${id} · rosarchive`;
  const page = {
    entries: [],
    next: null,
    done: false,
    diffSeq: 0,
    /** The `to` the user picked (null: follow the newest). */
    selectedTo: null,
    shownTo: null,
  };

  const title = h("h1", { tabindex: "-1" }, id);
  const headBadge = h("span", { class: "head-badge" });
  const backupBtn = h("button", { type: "button", class: "btn btn-primary", onclick: () => backupNow(id) }, "Back up now");
  const dlLatestOut = h("span", { class: "inline-status", role: "status" });
  const dlLatest = h("button", { type: "button", class: "btn", onclick: () => downloadVersion(id, null, dlLatestOut) }, "Download latest .rsc");
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
    h("div", { class: "page-head" }, h("div", { class: "title-row" }, title, headBadge), h("div", { class: "head-actions" }, backupBtn, dlLatest)),
    h("div", { class: "under-head" }, backupOut, dlLatestOut),
    notice,
    blocked,
    h("section", { class: "card facts-card", "aria-label": "Device facts" }, facts),
    h("div", { class: "device-grid" }, timelineCard, diffCard),
  );
  title.focus({ preventScroll: true });

  const renderFacts = () => {
    const d = store.devices.get(id);
    if (!d) return;
    fill(headBadge, stateBadge(d.status));
    const pending = store.backups.get(id)?.kind === "pending";
    backupBtn.disabled = pending;
    backupBtn.textContent = pending ? "Backing up…" : "Back up now";
    fill(backupOut, backupResultEl(id));
    const row = (k, ...vals) => [h("div", { class: "fact" }, h("dt", {}, k), h("dd", {}, ...vals))];
    const rowWide = (k, ...vals) => [h("div", { class: "fact fact-wide" }, h("dt", {}, k), h("dd", {}, ...vals))];
    fill(
      facts,
      ...row("Host", h("code", {}, `${d.host}:${d.port}`)),
      ...row("Group", d.group ?? h("span", { class: "muted" }, "none")),
      ...row("RouterOS", d.routeros_version ?? h("span", { class: "muted" }, "unknown")),
      ...row("Last success", timeEl(d.last_success, "never")),
      ...row("Last change", timeEl(d.last_change)),
      ...row("Last attempt", timeEl(d.last_attempt, "never")),
      ...row("Next run", d.status === "blocked" ? h("span", { class: "muted" }, "held until the block is cleared") : timeEl(d.next_run, "—", true)),
      ...rowWide("Host key (pinned)", d.host_key ? h("code", { class: "fp" }, d.host_key) : h("span", { class: "muted" }, "not pinned yet (first contact pins it)")),
      ...(d.last_error && d.status !== "ok" ? rowWide("Last error", h("span", { class: "error-text" }, h("strong", {}, d.last_error.code), ": ", d.last_error.message)) : []),
      ...(d.enabled === false ? row("Schedule", "disabled in the configuration") : []),
    );
    renderBlocked(d);
  };

  const renderBlocked = (d) => {
    if (d.status !== "blocked") {
      // The "accepted" note stays until the device is collected again.
      if (d.status === "ok" || !blocked.querySelector(".accept-result.is-ok")) fill(blocked);
      return;
    }
    if (blocked.dataset.presented === String(d.presented_host_key) && blocked.firstChild) return;
    blocked.dataset.presented = String(d.presented_host_key);
    const mismatch = d.last_error?.code === "host_key_mismatch";
    const out = h("p", { class: "accept-result", role: "status" });
    const card = h("section", { class: "card alert-card", "aria-labelledby": "blocked-title" });
    if (!mismatch) {
      append(card, [
        h("h2", { id: "blocked-title" }, "Collection is blocked"),
        h("p", {}, d.last_error ? `${d.last_error.code}: ${d.last_error.message}` : "The device is blocked."),
        h("p", { class: "muted" }, "Fix the credentials in the configuration; the block clears when they change."),
      ]);
      fill(blocked, card);
      return;
    }
    const acceptBtn = h("button", { type: "button", class: "btn btn-danger" }, "Accept new key…");
    const confirmRow = h("div", { class: "confirm", hidden: true });
    const yes = h("button", { type: "button", class: "btn btn-danger" }, "Yes, trust the presented key");
    const no = h("button", { type: "button", class: "btn" }, "Cancel");
    append(confirmRow, [h("p", {}, "Only accept if you know why the key changed (device replaced, reinstalled). The next contact pins the key it presents."), yes, " ", no]);
    acceptBtn.addEventListener("click", () => {
      confirmRow.hidden = false;
      acceptBtn.hidden = true;
      no.focus();
    });
    no.addEventListener("click", () => {
      confirmRow.hidden = true;
      acceptBtn.hidden = false;
      acceptBtn.focus();
    });
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      out.className = "accept-result";
      out.textContent = "Accepting…";
      try {
        const updated = await getJson(deviceUrl(id, "/host-key/accept"), { method: "POST" });
        mergeDevice(updated);
        out.className = "accept-result is-ok";
        out.textContent = "Accepted. The next run pins the key the device presents.";
        confirmRow.hidden = true;
        card.className = "card success-card";
        fill(card, h("h2", { id: "blocked-title" }, "Host key accepted"), out);
        renderFacts();
      } catch (err) {
        out.className = "accept-result is-error";
        out.textContent = err instanceof ApiError && err.status === 403 ? "Not allowed: accepting a host key needs an admin token." : describeError(err, "Accepting the key");
        yes.disabled = false;
      }
    });
    append(card, [
      h("h2", { id: "blocked-title" }, "Blocked: the SSH host key changed"),
      h("p", {}, "The device presented a different host key than the one pinned. Collection stays stopped until an admin accepts the new key. Compare the fingerprints with the device before accepting."),
      h(
        "dl",
        { class: "fingerprints" },
        h("dt", {}, "Expected (pinned)"),
        h("dd", {}, h("code", { class: "fp", id: "fp-expected" }, d.host_key ?? "—")),
        h("dt", {}, "Presented"),
        h("dd", {}, h("code", { class: "fp", id: "fp-presented" }, d.presented_host_key ?? "—")),
      ),
      acceptBtn,
      confirmRow,
      out,
    ]);
    fill(blocked, card);
  };

  // ---- timeline

  const entryEl = (e, fresh) => {
    const viewBtn = h("button", { type: "button", class: "btn btn-small", "aria-label": `Show the changes of ${short(e.commit)}`, onclick: () => showDiff(null, e.commit, true) }, "View changes");
    const dlOut = h("span", { class: "inline-status", role: "status" });
    const dlBtn = h("button", { type: "button", class: "btn btn-small btn-quiet", "aria-label": `Download version ${short(e.commit)} as .rsc`, onclick: () => downloadVersion(id, e.commit, dlOut) }, "Download .rsc");
    const sectionItem = (s) => h("li", {}, h("span", { class: "section-name" }, s.section), " ", countsEl(s.added, s.removed));
    const all = e.sections ?? [];
    const sections = all.slice(0, SECTIONS_SHOWN).map(sectionItem);
    if (all.length > SECTIONS_SHOWN) {
      const more = h("button", { type: "button", class: "more", "aria-label": `Show all ${all.length} sections of ${short(e.commit)}` }, `+${all.length - SECTIONS_SHOWN} more`);
      more.addEventListener("click", () => {
        const list = more.closest("ul");
        fill(list, all.map(sectionItem));
        list.querySelector("li")?.setAttribute("tabindex", "-1");
        list.querySelector("li")?.focus();
      });
      sections.push(h("li", { class: "more-item" }, more));
    }
    return h(
      "li",
      { class: `entry${fresh ? " fresh" : ""}${page.shownTo === e.commit ? " selected" : ""}`, dataset: { commit: e.commit } },
      h(
        "div",
        { class: "entry-head" },
        h("time", { datetime: e.time, class: "entry-time" }, fmtAbs(e.time)),
        e.trigger ? h("span", { class: `badge trigger trigger-${/^[a-z]+$/.test(e.trigger) ? e.trigger : "other"}` }, e.trigger) : null,
        e.routeros_version ? h("span", { class: "ver" }, `RouterOS ${e.routeros_version}`) : null,
      ),
      h("p", { class: "entry-summary" }, e.summary),
      sections.length ? h("ul", { class: "sections", "aria-label": "Sections changed" }, sections) : null,
      h("div", { class: "entry-foot" }, h("code", { class: "commit", title: e.commit }, short(e.commit)), h("span", { class: "spacer" }), viewBtn, dlBtn),
      dlOut,
    );
  };

  const optionLabel = (e) => `${fmtAbs(e.time)} · ${short(e.commit)} · ${e.summary}`.slice(0, 120);

  const syncSelects = () => {
    const from = fromSel.value;
    const to = toSel.value;
    fill(fromSel, h("option", { value: "" }, "The version before “To”"), page.entries.map((e) => h("option", { value: e.commit }, optionLabel(e))));
    fill(toSel, page.entries.map((e) => h("option", { value: e.commit }, optionLabel(e))));
    fromSel.value = page.entries.some((e) => e.commit === from) ? from : "";
    if (page.entries.some((e) => e.commit === to)) toSel.value = to;
  };

  const updateTimelineStatus = () => {
    const n = page.entries.length;
    timelineStatus.textContent = n === 0 ? "No versions archived yet. The first successful backup creates one." : `${n} version${n === 1 ? "" : "s"} shown${page.next ? "" : " (all)"}`;
    olderBtn.hidden = !page.next;
    syncSelects();
  };

  /** Full render on load; live commits and older pages add rows without rebuilding the rest (focus stays put). */
  const renderTimeline = () => {
    fill(timeline, ...page.entries.map((e) => entryEl(e, false)));
    updateTimelineStatus();
  };
  // Live commits and page loads can cross in flight; a version never gets a second row.
  const notShown = (list) => list.filter((e) => !timeline.querySelector(`li[data-commit="${CSS.escape(e.commit)}"]`));
  const prependEntries = (list) => {
    timeline.prepend(...notShown(list).map((e) => entryEl(e, true)));
    updateTimelineStatus();
  };
  const appendEntries = (list) => {
    timeline.append(...notShown(list).map((e) => entryEl(e, false)));
    updateTimelineStatus();
  };

  const loadHistory = async (before) => {
    const q = `?limit=${store.historyPage}${before ? `&before=${enc(before)}` : ""}`;
    const body = await getJson(deviceUrl(id, `/history${q}`));
    return body;
  };

  olderBtn.addEventListener("click", async () => {
    if (!page.next) return;
    olderBtn.disabled = true;
    olderBtn.textContent = "Loading…";
    try {
      const body = await loadHistory(page.next);
      if (view !== v) return;
      const known = new Set(page.entries.map((e) => e.commit));
      const added = body.entries.filter((e) => !known.has(e.commit));
      page.entries.push(...added);
      page.next = body.next;
      appendEntries(added);
      const first = added[0] && timeline.querySelector(`li[data-commit="${CSS.escape(added[0].commit)}"] button`);
      if (first) first.focus();
      else olderBtn.focus();
    } catch (err) {
      timelineStatus.textContent = describeError(err, "Loading older versions");
    } finally {
      olderBtn.disabled = false;
      olderBtn.textContent = "Older versions";
    }
  });

  /** New commits of this device arrive live: the newest page is fetched and what is new goes on top. */
  v.onCommit = async (ev) => {
    if (ev.device !== id) return;
    let incoming;
    try {
      incoming = (await loadHistory(null)).entries;
    } catch {
      incoming = [
        {
          commit: ev.commit,
          parent: ev.parent,
          time: ev.collected_at,
          trigger: ev.trigger,
          routeros_version: ev.routeros_version,
          summary: (ev.sections ?? []).map((s) => `+${s.added} -${s.removed} in ${s.section}`).join(", ") || "new version",
          stats: ev.stats ?? { added: 0, removed: 0 },
          sections: ev.sections ?? [],
        },
      ];
    }
    if (view !== v) return;
    const known = new Set(page.entries.map((e) => e.commit));
    const fresh = [];
    for (const e of incoming) {
      if (known.has(e.commit)) break;
      fresh.push(e);
    }
    if (fresh.length === 0) return;
    page.entries.unshift(...fresh);
    if (page.entries.length === fresh.length && fresh.length === store.historyPage) page.next = fresh[fresh.length - 1].commit;
    prependEntries(fresh);
    // Until the user picks versions, the diff follows the newest change.
    if (!page.selectedTo) void showDiff(null, page.entries[0].commit, false);
  };

  // ---- diff

  compareForm.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!toSel.value) return;
    void showDiff(fromSel.value || null, toSel.value, true);
  });

  const showDiff = async (from, to, chosen) => {
    const seq = ++page.diffSeq;
    if (chosen) page.selectedTo = to;
    page.shownTo = to;
    for (const li of timeline.children) li.classList.toggle("selected", li.dataset.commit === to);
    if (fromSel.value !== (from ?? "")) fromSel.value = from ?? "";
    if (toSel.value !== to) toSel.value = to;
    fill(diffHead, h("p", { class: "muted" }, "Loading the diff…"));
    diffBody.setAttribute("aria-busy", "true");
    const q = `?to=${enc(to)}${from ? `&from=${enc(from)}` : ""}`;
    try {
      const [textRes, json] = await Promise.all([api(deviceUrl(id, `/diff${q}`), { accept: "text/x-diff" }), getJson(deviceUrl(id, `/diff${q}`))]);
      const text = await textRes.text();
      if (seq !== page.diffSeq || view !== v) return;
      renderDiff(text, json, from, to);
    } catch (err) {
      if (seq !== page.diffSeq || view !== v) return;
      fill(diffHead, h("p", { class: "inline-status is-error", role: "alert" }, describeError(err, "Loading the diff")));
      fill(diffBody);
    } finally {
      if (seq === page.diffSeq) diffBody.removeAttribute("aria-busy");
    }
    if (chosen) diffCard.scrollIntoView({ block: "nearest", behavior: "smooth" });
  };

  const renderDiff = (text, json, from, to) => {
    // Without `from` the server diffs against the parent commit, whose copy of this file is the device's previous version.
    const at = page.entries.findIndex((e) => e.commit === (json.to ?? to));
    const previous = at >= 0 ? page.entries[at + 1] : undefined;
    const fromLabel = from ? short(json.from ?? from) : /^new file mode /m.test(text) ? "nothing (first snapshot)" : previous ? `${short(previous.commit)} (previous version)` : "previous version";
    const sections = json.sections ?? [];
    fill(
      diffHead,
      h("p", { class: "diff-range" }, h("code", {}, fromLabel), h("span", { "aria-hidden": "true" }, " → "), h("span", { class: "visually-hidden" }, " to "), h("code", {}, short(json.to ?? to)), " ", countsEl(json.stats?.added ?? 0, json.stats?.removed ?? 0)),
      sections.length
        ? h("ul", { class: "sections section-summary", "aria-label": "Changed lines by section" }, sections.map((s) => h("li", {}, h("span", { class: "section-name" }, s.section), " ", countsEl(s.added.length, s.removed.length))))
        : null,
    );
    // Which section each changed line stands in, from the JSON form (taken from the whole files, not the hunk).
    const addSec = new Map();
    const delSec = new Map();
    const push = (m, line, s) => (m.has(line) ? m.get(line).push(s) : m.set(line, [s]));
    for (const s of sections) {
      for (const l of s.added) push(addSec, l, s.section);
      for (const l of s.removed) push(delSec, l, s.section);
    }
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    if (lines.length === 0) {
      fill(diffBody, h("p", { class: "empty" }, "No differences between these two versions."));
      return;
    }
    const frag = document.createDocumentFragment();
    let hunk = null;
    let hunkSections = null;
    let oldNo = 0;
    let newNo = 0;
    let inHeader = true;
    const lineEl = (cls, o, n, sign, body, section) =>
      h("div", { class: `dl ${cls}`, title: section ? `in ${section}` : null }, h("span", { class: "ln" }, o), h("span", { class: "ln" }, n), h("span", { class: "sg", "aria-hidden": cls === "ctx" ? "true" : null }, sign), h("span", { class: "tx" }, body));
    const cap = Math.min(lines.length, DIFF_LINE_CAP);
    for (let i = 0; i < cap; i++) {
      const line = lines[i];
      const m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$/.exec(line);
      if (m) {
        inHeader = false;
        oldNo = Number(m[1]);
        newNo = Number(m[2]);
        hunkSections = h("span", { class: "hunk-sections" });
        hunk = h("div", { class: "hunk" }, h("div", { class: "dl hunk-head" }, h("span", { class: "hh" }, line), hunkSections));
        hunk.sectionSet = new Set();
        frag.append(hunk);
        continue;
      }
      if (line.startsWith("diff --git ")) inHeader = true;
      if (inHeader || !hunk) {
        frag.append(h("div", { class: "dl meta" }, line));
        continue;
      }
      const sign = line[0];
      const body = line.slice(1);
      let section = null;
      if (sign === "+") {
        section = addSec.get(body)?.shift() ?? null;
        hunk.append(lineEl("add", "", String(newNo++), "+", body, section));
      } else if (sign === "-") {
        section = delSec.get(body)?.shift() ?? null;
        hunk.append(lineEl("del", String(oldNo++), "", "-", body, section));
      } else if (sign === "\\") {
        hunk.append(h("div", { class: "dl note" }, line));
      } else {
        hunk.append(lineEl("ctx", String(oldNo++), String(newNo++), " ", body, null));
      }
      if (section && !hunk.sectionSet.has(section)) {
        hunk.sectionSet.add(section);
        hunkSections.append(h("span", { class: "section-chip" }, section));
      }
    }
    if (lines.length > cap) frag.append(h("p", { class: "notice" }, `The diff has ${lines.length} lines; the first ${cap} are shown. Download the versions to see all of it.`));
    fill(diffBody, h("div", { class: "diff-lines", role: "region", "aria-label": "Unified diff" }, frag));
  };

  // ---- load

  v.onDevice = (changed) => {
    if (changed === null || changed === id) renderFacts();
  };

  perPage.addEventListener("change", async () => {
    store.historyPage = Number(perPage.value);
    timelineStatus.textContent = "Loading history…";
    try {
      const hist = await loadHistory(null);
      if (view !== v) return;
      page.entries = hist.entries ?? [];
      page.next = hist.next ?? null;
      renderTimeline();
    } catch (err) {
      timelineStatus.textContent = describeError(err, "Loading the history");
    }
  });

  const loadAll = async () => {
    try {
      const [d, hist] = await Promise.all([getJson(deviceUrl(id)), loadHistory(null)]);
      if (view !== v) return;
      mergeDevice(d);
      renderFacts();
      page.entries = hist.entries ?? [];
      page.next = hist.next ?? null;
      renderTimeline();
      if (page.entries.length > 0) void showDiff(null, page.entries[0].commit, false);
      else fill(diffHead, h("p", { class: "muted" }, "Nothing to compare yet."));
    } catch (err) {
      if (view !== v || !session) return;
      notice.hidden = false;
      notice.textContent = err instanceof ApiError && err.status === 404 ? `No device "${id}" in tenant ${session.tenant}.` : describeError(err, "Loading the device");
      timelineStatus.textContent = "";
    }
  };
  if (store.devices.has(id)) renderFacts();
  void loadAll();
  const poll = setInterval(() => document.visibilityState === "visible" && refreshDevice(id), POLL_MS);
  v.cleanup.push(() => clearInterval(poll));
}

// ---------------------------------------------------------------- routing

function route() {
  const hash = location.hash || "#/";
  if (!session) {
    if (/^#\/devices/.test(hash)) afterSignIn = hash;
    renderSignIn();
    return;
  }
  const m = /^#\/devices\/([^/?#]+)$/.exec(hash);
  if (m) {
    let id = "";
    try {
      id = decodeURIComponent(m[1]);
    } catch {
      /* falls to the fleet */
    }
    if (ID_PATTERN.test(id)) return renderDevice(id);
  }
  if (hash !== "#/devices") {
    location.replace("#/devices");
    return;
  }
  renderFleet();
}

$("#signout").addEventListener("click", () => signOut("Signed out."));
window.addEventListener("hashchange", route);
whenTokenRejected(() => signOut("Your token is no longer accepted. Sign in again."));
if (session) startSession();
route();
