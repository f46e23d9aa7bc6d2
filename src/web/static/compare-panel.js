// "Compare with…" on the device page: this device's newest snapshot against
// another device's, through the compare route, shown in the same diff viewer
// as the device's own versions.

import { api, describeError, enc, getJson, tenantUrl } from "./api.js";
import { renderDiffLines } from "./diff-view.js";
import { append, fill, h } from "./dom.js";
import { countsEl, short } from "./format.js";
import { session } from "./session.js";
import { allDeviceIds } from "./state.js";

export function comparePanel(id) {
  const other = h("select", { id: "compare-with" });
  const ignore = h("input", { type: "checkbox", id: "compare-ignore", checked: true });
  const button = h("button", { type: "submit", class: "btn" }, "Show differences");
  const form = h(
    "form",
    { class: "compare", "aria-label": `Compare ${id} with another device` },
    h("div", { class: "field inline" }, h("label", { for: "compare-with" }, "Compare with…"), other),
    h("label", { class: "check", for: "compare-ignore" }, ignore, " Leave out what differs by design (the compare ignore rules) and mask sealed values"),
    button,
  );
  const head = h("div", { class: "diff-head", role: "status" });
  const body = h("div", { class: "diff", id: "compare-diff" });
  const el = h("section", { class: "card compare-card", "aria-labelledby": "compare-title" }, h("h2", { id: "compare-title" }, "Compare with another device"), form, head, body);
  let seq = 0;

  const fillChoices = (all) => {
    const keep = other.value;
    const ids = all.filter((d) => d !== id);
    fill(other, ids.length ? ids.map((d) => h("option", { value: d }, d)) : h("option", { value: "" }, "No other device"));
    if (ids.includes(keep)) other.value = keep;
    button.disabled = ids.length === 0;
  };
  void allDeviceIds().then(fillChoices, () => fillChoices([]));

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!other.value) return;
    const n = ++seq;
    const b = other.value;
    fill(head, h("p", { class: "muted" }, `Comparing ${id} with ${b}…`));
    fill(body);
    const url = tenantUrl(session, `/compare?a=${enc(id)}&b=${enc(b)}&ignore=${ignore.checked}`);
    try {
      const [textRes, json] = await Promise.all([api(url, { accept: "text/x-diff" }), getJson(url)]);
      const text = await textRes.text();
      if (n !== seq) return;
      const ignored = json.ignored ?? { a: 0, b: 0 };
      const masked = json.sealed_masked ?? { a: 0, b: 0 };
      fill(
        head,
        h(
          "p",
          { class: "diff-range" },
          h("code", {}, `${id}@${short(json.a?.commit)}`),
          h("span", { "aria-hidden": "true" }, " → "),
          h("span", { class: "visually-hidden" }, " to "),
          h("code", {}, `${b}@${short(json.b?.commit)}`),
          " ",
          countsEl(json.stats?.added ?? 0, json.stats?.removed ?? 0),
        ),
        h("p", { class: "muted compare-note" }, ignore.checked ? `Left out by the ignore rules: ${ignored.a} lines of ${id}, ${ignored.b} of ${b}. Sealed values masked: ${masked.a} and ${masked.b}.` : "Both files as archived: nothing left out, sealed values as their ciphertext."),
      );
      if (json.sections?.length) {
        append(head, [h("ul", { class: "sections section-summary", "aria-label": "Differences by section" }, json.sections.map((s) => h("li", {}, h("span", { class: "section-name" }, s.section), " ", countsEl(s.added.length, s.removed.length))))]);
      }
      renderDiffLines(body, text, json.sections ?? [], ignore.checked ? "No differences once the ignore rules are applied." : "The two files are identical.");
    } catch (err) {
      if (n !== seq) return;
      fill(head, h("p", { class: "inline-status is-error", role: "alert" }, describeError(err, "Comparing")));
    }
  });

  /** Brings the panel into view with the device choice focused (the page head's "Compare with…"). */
  const open = () => {
    el.scrollIntoView({ block: "start", behavior: "smooth" });
    other.focus({ preventScroll: true });
  };

  return { el, open, refresh: fillChoices };
}
