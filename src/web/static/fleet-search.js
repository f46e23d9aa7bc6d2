// The fleet page's search box: the archived (sealed) text of every device,
// hits grouped by device, each linked to the device's page at that version
// and line. Pages on with the API's cursor ("More results").

import { describeError, enc, getJson, tenantUrl } from "./api.js";
import { append, fill, h } from "./dom.js";
import { short } from "./format.js";
import { session } from "./session.js";

export function searchPanel() {
  const q = h("input", { id: "config-q", type: "search", placeholder: "e.g. telnet, 10.0.5.1, peer name", autocomplete: "off", spellcheck: "false", maxlength: "512" });
  const regex = h("input", { type: "checkbox", id: "config-regex" });
  const at = h("input", { type: "date", id: "config-at" });
  const go = h("button", { type: "submit", class: "btn btn-primary" }, "Search");
  const form = h(
    "form",
    { class: "toolbar search-form", role: "search", "aria-label": "Search the configurations" },
    h("div", { class: "field inline grow" }, h("label", { for: "config-q" }, "Find in configurations"), q),
    h("div", { class: "field inline" }, h("label", { for: "config-at" }, "As on (empty: latest)"), at),
    h("label", { class: "check", for: "config-regex" }, regex, " Regular expression"),
    go,
  );
  const status = h("p", { class: "muted search-status", role: "status" });
  const results = h("div", { class: "search-results", id: "search-results" });
  const more = h("button", { type: "button", class: "btn btn-block", hidden: true }, "More results");
  const el = h("section", { class: "card search-card", "aria-labelledby": "search-title" }, h("h2", { id: "search-title" }, "Search the configurations"), form, status, results, more);

  let query = null;
  let next = null;
  let shown = 0;
  let seq = 0;
  /** device id → its group's list of hits, so a device continued on the next page stays one group. */
  const groups = new Map();

  const hitLink = (hit) => `#/devices/${enc(hit.device)}?at=${enc(hit.commit)}&line=${hit.line}`;

  const addHits = (hits) => {
    for (const hit of hits) {
      let list = groups.get(hit.device);
      if (!list) {
        list = h("ol", { class: "hits", "aria-label": `Hits in ${hit.device}` });
        groups.set(hit.device, list);
        append(results, [
          h(
            "section",
            { class: "hit-device", dataset: { device: hit.device } },
            h("h3", {}, h("a", { class: "device-link", href: `#/devices/${enc(hit.device)}` }, hit.device), hit.group ? h("span", { class: "group-tag" }, hit.group) : null, h("code", { class: "sub" }, `version ${short(hit.commit)}`)),
            list,
          ),
        ]);
      }
      append(list, [
        h(
          "li",
          { class: "hit", dataset: { line: String(hit.line) } },
          h("a", { class: "hit-link", href: hitLink(hit), "aria-label": `${hit.device} line ${hit.line}` }, h("span", { class: "ln" }, String(hit.line))),
          h("span", { class: "section-chip" }, hit.section),
          h("code", { class: "hit-text" }, hit.text, hit.text_cut ? "…" : ""),
        ),
      ]);
    }
    shown += hits.length;
  };

  const run = async (cursor) => {
    const n = ++seq;
    go.disabled = true;
    more.disabled = true;
    status.className = "muted search-status";
    if (!cursor) status.textContent = "Searching…";
    try {
      const url = tenantUrl(session, `/search?q=${enc(query.q)}&regex=${query.regex}${query.at ? `&at=${enc(query.at)}` : ""}&limit=100${cursor ? `&cursor=${enc(cursor)}` : ""}`);
      const body = await getJson(url);
      if (n !== seq) return;
      if (!cursor) {
        fill(results);
        groups.clear();
        shown = 0;
      }
      addHits(body.hits ?? []);
      next = body.next ?? null;
      more.hidden = !next;
      const where = body.at && body.at !== "latest" ? ` as on ${body.at}` : "";
      status.textContent =
        shown === 0
          ? `No line matches${where}. Sealed values are searched as archived: a secret's plaintext never matches.`
          : `${shown} matching line${shown === 1 ? "" : "s"} in ${groups.size} device${groups.size === 1 ? "" : "s"}${where}${next ? " so far" : ""}.${body.truncated ? " The results were cut: narrow the search to see the rest." : ""}`;
    } catch (err) {
      if (n !== seq) return;
      status.className = "inline-status is-error search-status";
      status.textContent = describeError(err, "Searching");
    } finally {
      if (n === seq) {
        go.disabled = false;
        more.disabled = false;
      }
    }
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = q.value;
    if (text.trim() === "") {
      status.textContent = "Type something to find.";
      return;
    }
    query = { q: text, regex: regex.checked, at: at.value || null };
    next = null;
    void run(null);
  });
  more.addEventListener("click", () => next && run(next));

  return { el };
}
