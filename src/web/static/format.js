// Formatting of commits, times, states and counts for display.

import { h } from "./dom.js";

/** Device states, in display order. */
export const STATES = ["ok", "failing", "blocked", "never"];

export const short = (commit) => (typeof commit === "string" ? commit.slice(0, 10) : "");

const absFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function fmtAbs(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : absFormat.format(d);
}

export function fmtRel(iso, now = Date.now(), due = false) {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return String(iso);
  const s = Math.round((t - now) / 1000);
  // A next run in the past is waiting for a worker, not "ago".
  if (due && s <= 0) return "due now";
  const a = Math.abs(s);
  let text;
  if (a < 5) return s > 0 ? "due now" : "just now";
  if (a < 60) text = `${a} s`;
  else if (a < 3600) text = `${Math.round(a / 60)} min`;
  else if (a < 86400 * 2) text = `${Math.round(a / 3600)} h`;
  else text = `${Math.round(a / 86400)} days`;
  return s > 0 ? `in ${text}` : `${text} ago`;
}

/** A <time> whose text is relative ("3 min ago") and kept fresh by the ticker; the absolute time is its title. */
export function timeEl(iso, empty = "—", due = false) {
  if (!iso) return h("span", { class: "muted" }, empty);
  return h("time", { datetime: iso, title: fmtAbs(iso), dataset: { rel: due ? "due" : "ago" } }, fmtRel(iso, Date.now(), due));
}

setInterval(() => {
  const now = Date.now();
  for (const t of document.querySelectorAll("time[data-rel]")) t.textContent = fmtRel(t.getAttribute("datetime"), now, t.dataset.rel === "due");
}, 5000);

/** A device that left the inventory or the config: its history stays readable. */
export const RETIRED = "retired";

export function stateBadge(status) {
  const s = STATES.includes(status) || status === RETIRED ? status : "never";
  return h("span", { class: `badge state-${s}` }, h("span", { class: "badge-dot", "aria-hidden": "true" }), s);
}

/** An inventory source's state: ok, failing (its last good list stays), refused (a removal waits for an admin), never. */
export function sourceBadge(state) {
  const cls = { ok: "state-ok", failing: "state-failing", refused: "state-blocked", never: "state-never" }[state] ?? "state-never";
  return h("span", { class: `badge ${cls}` }, h("span", { class: "badge-dot", "aria-hidden": "true" }), state);
}

export function countsEl(added, removed) {
  return h("span", { class: "counts" }, h("span", { class: "plus", title: `${added} lines added` }, `+${added}`), " ", h("span", { class: "minus", title: `${removed} lines removed` }, `−${removed}`));
}
