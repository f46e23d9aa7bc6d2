// One version of a device's file around one line: where a search hit points
// (`#/devices/<id>?at=<commit>&line=<n>`). The archived (sealed) text, as
// downloaded, rendered as text.

import { api, describeError, deviceUrl, enc } from "./api.js";
import { fill, h } from "./dom.js";
import { short } from "./format.js";

const AROUND = 15;
const WHOLE_CAP = 20000;

export function lineView(id, commit, line) {
  const body = h("div", { class: "file-lines", id: "line-view", role: "region", "aria-label": `${id} at ${short(commit)}` });
  const status = h("p", { class: "muted", role: "status" }, "Loading the file…");
  const whole = h("button", { type: "button", class: "btn btn-small", hidden: true }, "Show the whole file");
  const el = h(
    "section",
    { class: "card line-card", "aria-labelledby": "line-title" },
    h("div", { class: "card-head" }, h("h2", { id: "line-title" }, `Line ${line} at ${short(commit)}`), whole),
    status,
    body,
  );
  let lines = [];

  const render = (from, to) => {
    const rows = [];
    for (let i = from; i < to; i++) {
      rows.push(h("div", { class: `fl${i + 1 === line ? " at-line" : ""}`, dataset: { line: String(i + 1) } }, h("span", { class: "ln" }, String(i + 1)), h("span", { class: "tx" }, lines[i])));
    }
    fill(body, rows);
    const hit = body.querySelector(".fl.at-line");
    if (hit) hit.scrollIntoView({ block: "center" });
  };

  whole.addEventListener("click", () => {
    render(0, Math.min(lines.length, WHOLE_CAP));
    whole.hidden = true;
    status.textContent = lines.length > WHOLE_CAP ? `${lines.length} lines; the first ${WHOLE_CAP} are shown.` : `${lines.length} lines.`;
  });

  void (async () => {
    try {
      const res = await api(deviceUrl(id, `/config?at=${enc(commit)}`), { accept: "text/plain" });
      lines = (await res.text()).split("\n");
      if (lines.at(-1) === "") lines.pop();
      if (line < 1 || line > lines.length) {
        status.textContent = `This version has ${lines.length} lines; there is no line ${line}.`;
        return;
      }
      status.textContent = `Lines ${Math.max(1, line - AROUND)}–${Math.min(lines.length, line + AROUND)} of ${lines.length}, as archived (sealed values stay sealed).`;
      render(Math.max(0, line - 1 - AROUND), Math.min(lines.length, line + AROUND));
      whole.hidden = false;
    } catch (err) {
      status.textContent = describeError(err, "Loading the file");
      status.className = "inline-status is-error";
    }
  })();

  return { el };
}
