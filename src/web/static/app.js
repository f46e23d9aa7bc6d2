// rosarchive web UI: hand-written ES modules, no framework, no build step.
// This one routes between the views and starts the page; each other module
// holds what it is named for (state, live events, actions, sign-in, the two
// views, the API client, the session, DOM helpers, formatting).
//
// Rules this file keeps:
// - The API token lives in sessionStorage only (this tab), is sent as an
//   `Authorization: Bearer` header, and never goes into a URL or a cookie.
// - Every piece of data reaches the page through textContent / text nodes
//   (see h()); innerHTML is never used. Device names, summaries and diffs
//   are untrusted.
// - Live updates read the SSE route with fetch() + a stream reader, because
//   EventSource cannot send an Authorization header.

import { whenTokenRejected } from "./api.js";
import { renderDevice } from "./device-view.js";
import { $ } from "./dom.js";
import { renderFleet } from "./fleet-view.js";
import { ID_PATTERN, session } from "./session.js";
import { renderSignIn, signOut, startSession } from "./sign-in.js";
import { renderSources } from "./sources-view.js";

function route() {
  const hash = location.hash || "#/";
  if (!session) {
    renderSignIn(/^#\/(devices|sources)/.test(hash) ? hash : null);
    return;
  }
  const m = /^#\/devices\/([^/?#]+)(?:\?([^#]*))?$/.exec(hash);
  if (m) {
    let id = "";
    try {
      id = decodeURIComponent(m[1]);
    } catch {
      /* falls to the fleet */
    }
    // `?at=<commit>&line=<n>`: where a search hit points.
    const q = new URLSearchParams(m[2] ?? "");
    const at = /^[0-9a-f]{40}$/.test(q.get("at") ?? "") ? q.get("at") : null;
    const line = /^[1-9][0-9]{0,8}$/.test(q.get("line") ?? "") ? Number(q.get("line")) : null;
    if (ID_PATTERN.test(id)) return renderDevice(id, { at, line });
  }
  if (hash === "#/sources") return renderSources();
  if (hash !== "#/devices") {
    location.replace("#/devices");
    return;
  }
  renderFleet();
}

$("#signout").addEventListener("click", () => signOut("Signed out."));
window.addEventListener("hashchange", route);
whenTokenRejected(() => signOut("Your token is no longer accepted. Sign in again."));
if (session) startSession();
route();
