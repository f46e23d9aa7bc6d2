// Signing in and out: the token is checked against the API before it is kept.

import { api, ApiError, describeError, tenantUrl } from "./api.js";
import { $, fill, h } from "./dom.js";
import { runEvents, stopEvents } from "./live.js";
import { clearSession, ID_PATTERN, saveSession, session } from "./session.js";
import { clearStore, setView } from "./state.js";

export function signOut(message) {
  stopEvents();
  clearSession();
  clearStore();
  signInMessage = message ?? null;
  $("#session").hidden = true;
  go("#/signin");
}

let signInMessage = null;
let afterSignIn = "#/devices";

/** Routes to `hash`, also when it is the current one (the view is rebuilt). */
function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

/** The sign-in form; `target` is where to go once signed in (a deep link), if any. */
export function renderSignIn(target = null) {
  if (target) afterSignIn = target;
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
      await api(tenantUrl({ tenant: t }, "/devices?limit=1"), { auth: { tenant: t, token: k } });
      token.value = "";
      saveSession({ tenant: t, token: k });
      startSession();
      go(afterSignIn);
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

export function startSession() {
  $("#session").hidden = false;
  $("#session-tenant").textContent = session.tenant;
  void runEvents();
}
