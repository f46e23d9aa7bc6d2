// The device page's facts list: one device record in, the <dl> rows out (no state, no requests).

import { h } from "./dom.js";
import { timeEl } from "./format.js";

const row = (k, ...vals) => [h("div", { class: "fact" }, h("dt", {}, k), h("dd", {}, ...vals))];
const rowWide = (k, ...vals) => [h("div", { class: "fact fact-wide" }, h("dt", {}, k), h("dd", {}, ...vals))];
const muted = (text) => h("span", { class: "muted" }, text);

/** Where the device's entry comes from, as the page words it. */
const fromInventory = (d) => d.source && d.source !== "config";

/** A retired device is not scheduled and a blocked one waits for an admin; otherwise the next run's time. */
const nextRun = (d) => {
  if (d.status === "retired") return muted("not scheduled (retired)");
  if (d.status === "blocked") return muted("held until the block is cleared");
  return timeEl(d.next_run, "—", true);
};

/** The rows of the facts list for device `d`, in display order. */
export function factRows(d) {
  const retired = d.status === "retired";
  return [
    ...row("Host", h("code", {}, `${d.host}:${d.port}`)),
    ...row("Group", d.group ?? muted("none")),
    ...row("Site", d.site ?? "default"),
    ...row("Source", fromInventory(d) ? `inventory source ${d.source}` : "config file"),
    ...(retired ? rowWide("Retired", timeEl(d.retired_at), " — it left ", fromInventory(d) ? "the inventory" : "the config file", "; its history stays below. If it returns, its history continues.") : []),
    ...row("RouterOS", d.routeros_version ?? muted("unknown")),
    ...row("Last success", timeEl(d.last_success, "never")),
    ...row("Last change", timeEl(d.last_change)),
    ...row("Last attempt", timeEl(d.last_attempt, "never")),
    ...row("Next run", nextRun(d)),
    ...rowWide("Host key (pinned)", d.host_key ? h("code", { class: "fp" }, d.host_key) : muted("not pinned yet (first contact pins it)")),
    ...(d.last_error && d.status !== "ok" ? rowWide("Last error", h("span", { class: "error-text" }, h("strong", {}, d.last_error.code), ": ", d.last_error.message)) : []),
    ...(d.enabled === false ? row("Schedule", "disabled in the configuration") : []),
  ];
}
