// The card a blocked device shows above its facts, with the admin action that clears the block
// (accept the presented host key, or unblock after a refused login).

import { ApiError, describeError, deviceUrl, getJson } from "./api.js";
import { append, fill, h } from "./dom.js";
import { mergeDevice } from "./state.js";

/**
 * Fill `slot` with the blocked card of device `d` (id `id`), or empty it once the device is no longer blocked.
 * `onChanged` runs after an action succeeded and the device record was merged into the store.
 */
export function renderBlocked(slot, id, d, onChanged) {
  if (d.status !== "blocked") {
    // The "accepted" / "unblocked" note stays until the device is collected again.
    if (d.status === "ok" || !slot.querySelector(".accept-result.is-ok")) fill(slot);
    return;
  }
  const code = d.last_error?.code ?? "";
  const key = `${code} ${d.presented_host_key}`;
  // Live updates re-render the facts often: an unchanged block keeps its card (and an open confirmation).
  if (slot.dataset.block === key && slot.firstChild) return;
  slot.dataset.block = key;
  const card = h("section", { class: "card alert-card", "aria-labelledby": "blocked-title" });
  if (code === "host_key_mismatch") hostKeyContent(card, id, d, onChanged);
  else otherBlockContent(card, id, d, onChanged);
  fill(slot, card);
}

/** The host key changed: both fingerprints, and accepting the presented one. */
function hostKeyContent(card, id, d, onChanged) {
  // The fingerprint shown is the one sent: the server pins exactly it, and refuses if the device presents another by now.
  const shown = d.presented_host_key;
  append(card, [
    h("h2", { id: "blocked-title" }, "Blocked: the SSH host key changed"),
    h("p", {}, "The device presented a different host key than the one pinned. Collection stays stopped until an admin accepts the new key. Compare the fingerprints with the device before accepting."),
    h(
      "dl",
      { class: "fingerprints" },
      h("dt", {}, "Expected (pinned)"),
      h("dd", {}, h("code", { class: "fp", id: "fp-expected" }, d.host_key ?? "—")),
      h("dt", {}, "Presented"),
      h("dd", {}, h("code", { class: "fp", id: "fp-presented" }, shown ?? "—")),
    ),
  ]);
  if (!shown) return;
  blockAction(card, id, onChanged, {
    label: "Accept new key…",
    question: `Only accept if you know why the key changed (device replaced, reinstalled). Exactly ${shown} is pinned; any other key stays blocked.`,
    yes: "Yes, pin the presented key",
    path: "/host-key/accept",
    body: { fingerprint: shown },
    working: "Accepting…",
    done: "Host key accepted",
    doneText: `Accepted: ${shown} is pinned. A backup has started to confirm it.`,
    what: "Accepting the key",
    role: "accepting a host key",
  });
}

/** Any other block: the error, and for a refused login the way to try again. */
function otherBlockContent(card, id, d, onChanged) {
  const code = d.last_error?.code ?? "";
  append(card, [
    h("h2", { id: "blocked-title" }, code === "auth_failed" ? "Blocked: the device refused the login" : "Collection is blocked"),
    h("p", {}, d.last_error ? `${d.last_error.code}: ${d.last_error.message}` : "The device is blocked."),
  ]);
  if (code !== "auth_failed") return;
  append(card, [h("p", { class: "muted" }, "Fix the credentials in the configuration (the block clears when they change), or, if the login was fixed on the router, unblock it to try again.")]);
  blockAction(card, id, onChanged, {
    label: "Unblock…",
    question: "Unblock only if the login was fixed on the router (or a lockout ended). A backup starts at once with the same credentials; if the login fails again, the device is blocked again.",
    yes: "Yes, try the login again",
    path: "/unblock",
    body: undefined,
    working: "Unblocking…",
    done: "Unblocked",
    doneText: "Unblocked. A backup has started to try the login again.",
    what: "Unblocking",
    role: "unblocking a device",
  });
}

/** An admin action on a blocked device: a button, a confirmation, the request, the outcome in the card. */
function blockAction(card, id, onChanged, a) {
  const out = h("p", { class: "accept-result", role: "status" });
  const btn = h("button", { type: "button", class: "btn btn-danger" }, a.label);
  const confirmRow = h("div", { class: "confirm", hidden: true });
  const yes = h("button", { type: "button", class: "btn btn-danger" }, a.yes);
  const no = h("button", { type: "button", class: "btn" }, "Cancel");
  append(confirmRow, [h("p", {}, a.question), yes, " ", no]);
  btn.addEventListener("click", () => {
    confirmRow.hidden = false;
    btn.hidden = true;
    no.focus();
  });
  no.addEventListener("click", () => {
    confirmRow.hidden = true;
    btn.hidden = false;
    btn.focus();
  });
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    out.className = "accept-result";
    out.textContent = a.working;
    try {
      const updated = await getJson(deviceUrl(id, a.path), { method: "POST", body: a.body });
      mergeDevice(updated);
      out.className = "accept-result is-ok";
      out.textContent = a.doneText;
      confirmRow.hidden = true;
      card.className = "card success-card";
      fill(card, h("h2", { id: "blocked-title" }, a.done), out);
      onChanged();
    } catch (err) {
      out.className = "accept-result is-error";
      out.textContent = err instanceof ApiError && err.status === 403 ? `Not allowed: ${a.role} needs an admin token.` : describeError(err, a.what);
      yes.disabled = false;
    }
  });
  append(card, [btn, confirmRow, out]);
}
