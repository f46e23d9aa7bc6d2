// The fleet table's columns and rows: a row is made once per device and re-filled when the device changes.

import { backupNow, backupResultEl } from "./actions.js";
import { enc } from "./api.js";
import { fill, h } from "./dom.js";
import { RETIRED, short, stateBadge, timeEl } from "./format.js";
import { policyCell } from "./policy-cell.js";
import { store } from "./state.js";

/**
 * The table's columns, in order: a label (the header, and each cell's
 * data-label) and what a cell shows of a device. A new column is one more
 * entry here.
 */
export const COLUMNS = [
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

/** The table's header row. */
export function headerRow() {
  return h("tr", {}, COLUMNS.map((c) => h("th", { scope: "col" }, c.label)), h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")));
}

/** What each row was last filled with: a row whose device did not change is left alone. */
const filled = new WeakMap();

/** Re-fills a row with a device's state and its backup's progress. */
export function fillRow(tr, d) {
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
}

/** A new row for a device, with its "Back up now" button. */
export function makeRow(d) {
  const btn = h("button", { type: "button", class: "btn btn-small", "aria-label": `Back up ${d.id} now`, onclick: () => backupNow(d.id) }, "Back up now");
  const tr = h("tr", { dataset: { device: d.id } }, COLUMNS.map((c) => h("td", { dataset: { label: c.label } }, h("div", { class: "cell" }))), h("td", { class: "actions" }, btn, h("div", { class: "backup-result" })));
  fillRow(tr, d);
  return tr;
}
