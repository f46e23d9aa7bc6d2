// The device page's history and diff requests, and the list arithmetic of paging and live updates (no DOM).

import { api, deviceUrl, enc, getJson } from "./api.js";
import { fmtAbs, short } from "./format.js";

/** One page of device `id`'s history, `limit` entries, older than commit `before` (null: the newest). */
export async function fetchHistory(id, limit, before) {
  const q = `?limit=${limit}${before ? `&before=${enc(before)}` : ""}`;
  return getJson(deviceUrl(id, `/history${q}`));
}

/** The diff of `to` against `from` (null: its parent), both as unified text and as the server's summary. */
export async function fetchDiff(id, from, to) {
  const q = `?to=${enc(to)}${from ? `&from=${enc(from)}` : ""}`;
  const [textRes, json] = await Promise.all([api(deviceUrl(id, `/diff${q}`), { accept: "text/x-diff" }), getJson(deviceUrl(id, `/diff${q}`))]);
  return { text: await textRes.text(), json };
}

/** The newest entries of `incoming` (newest first) above the first one `shown` already has. */
export function newerThanShown(shown, incoming) {
  const known = new Set(shown.map((e) => e.commit));
  const fresh = [];
  for (const e of incoming) {
    if (known.has(e.commit)) break;
    fresh.push(e);
  }
  return fresh;
}

/** The entries of an older page that `shown` does not have yet (a commit may have moved the page boundary). */
export function notShown(shown, page) {
  const known = new Set(shown.map((e) => e.commit));
  return page.filter((e) => !known.has(e.commit));
}

/** The line under the history heading. */
export function historyStatusText(n, more) {
  return n === 0 ? "No versions archived yet. The first successful backup creates one." : `${n} version${n === 1 ? "" : "s"} shown${more ? "" : " (all)"}`;
}

/** A version as the From/To selects list it. */
export function optionLabel(e) {
  return `${fmtAbs(e.time)} · ${short(e.commit)} · ${e.summary}`.slice(0, 120);
}
