// The inventory sources page (admin): each source's last sync, result,
// counts and skipped rows, and a refused removal with its "confirm" button.

import { api, ApiError, describeError, enc, getJson, tenantUrl } from "./api.js";
import { $, announce, fill, h } from "./dom.js";
import { sourceBadge, timeEl } from "./format.js";
import { session } from "./session.js";
import { POLL_MS, setView, view } from "./state.js";

const RESULT_TEXT = {
  changed: "applied a changed list",
  unchanged: "no change",
  not_modified: "not modified (ETag)",
  refused: "refused: too many removals",
  invalid: "refused: the list cannot be used",
  failed: "could not be read",
};

const pct = (share) => `${Math.round(share * 1000) / 10} %`;

export function renderSources() {
  const v = setView("sources");
  document.title = `Inventory sources · ${session.tenant} · rosarchive`;
  const title = h("h1", { tabindex: "-1" }, "Inventory sources");
  const sub = h("p", { class: "muted" }, "Loading…");
  const notice = h("p", { class: "notice", role: "status", hidden: true });
  const list = h("div", { class: "sources" });
  fill(
    $("#view"),
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "#/devices" }, "Fleet"), h("span", { "aria-hidden": "true" }, " / "), h("span", { "aria-current": "page" }, "Inventory sources")),
    h("div", { class: "page-head" }, h("div", {}, title, sub)),
    notice,
    list,
  );
  title.focus({ preventScroll: true });

  const card = (s) => {
    const facts = h(
      "dl",
      { class: "facts" },
      fact("Last sync", timeEl(s.last_sync, "never")),
      fact("Last success", timeEl(s.last_success, "never")),
      fact("Next sync", timeEl(s.next_sync, "—", true)),
      fact("Result", s.result ? RESULT_TEXT[s.result] ?? s.result : h("span", { class: "muted" }, "not read yet")),
      fact("Devices", String(s.devices)),
      fact("Last change", `+${s.added} −${s.removed} ~${s.changed}`),
      fact("Every", s.interval),
      fact("May remove", `${s.max_removal} of the tenant's devices without confirmation`),
    );
    const error = s.last_error
      ? h("p", { class: "notice notice-error" }, h("strong", {}, s.last_error.code), ": ", s.last_error.message, h("span", { class: "sub" }, "The last good list stays in force."))
      : null;
    const skipped =
      s.skipped_count > 0
        ? h(
            "details",
            { class: "skipped" },
            h("summary", {}, `${s.skipped_count} row${s.skipped_count === 1 ? "" : "s"} skipped`),
            h("ul", {}, s.skipped.map((x) => h("li", {}, h("code", {}, x.row), ": ", x.reason))),
          )
        : null;
    return h(
      "section",
      { class: "source-card", dataset: { source: s.name } },
      h("div", { class: "title-row" }, h("h2", {}, s.name), h("span", { class: "sub" }, s.type), sourceBadge(s.state)),
      facts,
      error,
      s.refused_removal ? refusal(s) : null,
      skipped,
    );
  };

  const refusal = (s) => {
    const r = s.refused_removal;
    const out = h("p", { class: "inline-status", role: "status" });
    const btn = h("button", { type: "button", class: "btn btn-danger", dataset: { step: "1" } }, `Confirm removal of ${r.count} device${r.count === 1 ? "" : "s"}`);
    btn.addEventListener("click", async () => {
      // Two steps: the first click asks, the second confirms exactly the removal shown (its digest).
      if (btn.dataset.step === "1") {
        btn.dataset.step = "2";
        btn.textContent = `Really retire ${r.count} device${r.count === 1 ? "" : "s"}? Click again`;
        return;
      }
      btn.disabled = true;
      out.className = "inline-status";
      out.textContent = "Confirming…";
      try {
        const res = await api(tenantUrl(session, `/inventory/${enc(s.name)}/confirm?digest=${enc(r.digest)}`), { method: "POST" });
        const body = await res.json();
        announce(`Removal confirmed: ${body.count} devices leave the inventory.`);
        await load();
      } catch (err) {
        btn.disabled = false;
        btn.dataset.step = "1";
        btn.textContent = `Confirm removal of ${r.count} device${r.count === 1 ? "" : "s"}`;
        out.className = "inline-status is-error";
        out.textContent =
          err instanceof ApiError && err.status === 409 ? `${err.message} The page shows the current state.` : err instanceof ApiError && err.status === 403 ? "Not allowed: confirming needs an admin token." : describeError(err, "Confirming");
        if (err instanceof ApiError && err.status === 409) void load();
      }
    });
    return h(
      "div",
      { class: "notice refusal" },
      h("p", {}, h("strong", {}, `A sync would remove ${r.count} of ${r.tenant_devices} devices (${pct(r.share)})`), `, more than ${s.max_removal}. Nothing was removed. Since `, timeEl(r.since), "."),
      h("p", { class: "sub" }, "Devices that would be retired:"),
      h("ul", { class: "removal-list" }, r.devices.map((id) => h("li", {}, h("code", {}, id)))),
      r.count > r.devices.length ? h("p", { class: "sub" }, `and ${r.count - r.devices.length} more`) : null,
      h("div", { class: "head-actions" }, btn, out),
    );
  };

  const load = async () => {
    try {
      const body = await getJson(tenantUrl(session, "/inventory"));
      if (view !== v) return;
      notice.hidden = true;
      const n = body.sources.length;
      sub.textContent = n === 0 ? `Tenant ${session.tenant} has no inventory sources: its devices come from the config file.` : `${n} source${n === 1 ? "" : "s"} for tenant ${session.tenant}`;
      fill(list, body.sources.map(card));
    } catch (err) {
      if (view !== v || !session) return;
      notice.hidden = false;
      notice.className = "notice notice-error";
      notice.textContent = err instanceof ApiError && err.status === 403 ? "The inventory sources page needs an admin token." : describeError(err, "Loading the sources");
      sub.textContent = "";
    }
  };
  void load();
  const poll = setInterval(() => document.visibilityState === "visible" && load(), POLL_MS);
  v.cleanup.push(() => clearInterval(poll));
}

function fact(k, ...vals) {
  return h("div", { class: "fact" }, h("dt", {}, k), h("dd", {}, ...vals));
}
