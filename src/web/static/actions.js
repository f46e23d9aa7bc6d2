// What a user can do from any view: back up a device (or all) now, download a version.

import { api, ApiError, describeError, deviceUrl, enc } from "./api.js";
import { $, announce, append, h } from "./dom.js";
import { short } from "./format.js";
import { session } from "./session.js";
import { refreshDevice, store, view } from "./state.js";

export async function backupNow(id) {
  store.backups.set(id, { kind: "pending", text: "Backing up…" });
  view.onDevice?.(id);
  let result;
  try {
    const res = await api(deviceUrl(id, "/backup"), { method: "POST" });
    const body = await res.json();
    result = body.changed
      ? { kind: "ok", text: "Changed: new commit ", commit: body.commit }
      : { kind: "ok", text: "Unchanged: still commit ", commit: body.commit };
    announce(`${id}: backup ${body.changed ? "changed" : "unchanged"}`);
  } catch (err) {
    let text;
    if (err instanceof ApiError && err.status === 403) text = "Not allowed: backing up needs an operator or admin token. You are signed in with a viewer token.";
    else if (err instanceof ApiError && err.status >= 500 && err.status !== 501) text = `Backup failed: ${err.code} (${err.message})`;
    else text = describeError(err, "Backup");
    result = { kind: "error", text, code: err instanceof ApiError ? err.code : "error" };
    announce(`${id}: ${text}`);
  }
  store.backups.set(id, result);
  view.onDevice?.(id);
  await refreshDevice(id);
}

/**
 * "Back up all now" for the tenant, or the group the fleet page is filtered
 * on: the service schedules them at once (its limits still apply) and says
 * how many; the rows update as the backups land.
 */
export async function backupAll(group, out) {
  out.hidden = false;
  out.className = "notice";
  out.textContent = "Scheduling…";
  try {
    const q = group ? `?group=${enc(group)}` : "";
    const res = await api(`/api/v1/tenants/${enc(session.tenant)}/backup${q}`, { method: "POST" });
    const body = await res.json();
    out.textContent = `${body.scheduled} device${body.scheduled === 1 ? "" : "s"}${group ? ` of group ${group}` : ""} scheduled for a backup now; the table updates as they finish.`;
  } catch (err) {
    out.classList.add("is-error");
    if (err instanceof ApiError && err.status === 403) out.textContent = "Not allowed: backing up needs an operator or admin token. You are signed in with a viewer token.";
    else if (err instanceof ApiError && err.status === 429) out.textContent = "Already asked within the last minute: try again shortly.";
    else out.textContent = describeError(err, "Back up all");
  }
  announce(out.textContent);
}

export function backupResultEl(id) {
  const r = store.backups.get(id);
  const el = h("div", { class: "backup-result", role: "status", dataset: { device: id } });
  if (!r) return el;
  el.classList.add(`is-${r.kind}`);
  append(el, [r.text, r.commit ? h("code", {}, short(r.commit)) : null]);
  return el;
}

function filenameOf(res, fallback) {
  const cd = res.headers.get("content-disposition") ?? "";
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
  let name = fallback;
  try {
    if (m) name = decodeURIComponent(m[1]);
  } catch {
    /* a malformed name: the fallback */
  }
  // Never a path: only the last segment, only ordinary characters.
  return name.split(/[\\/]/).pop().replace(/[^A-Za-z0-9._-]/g, "_") || fallback;
}

/** Downloads one archived version: fetched with the token, saved through a blob URL and a.download. */
export async function downloadVersion(id, commit, out) {
  out.textContent = "Preparing download…";
  out.className = "inline-status";
  try {
    const res = await api(deviceUrl(id, `/config${commit ? `?at=${enc(commit)}` : ""}`), { accept: "text/plain" });
    const name = filenameOf(res, `${id}.rsc`);
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = h("a", { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    out.textContent = `Downloaded ${name}`;
  } catch (err) {
    out.textContent = describeError(err, "Download");
    out.className = "inline-status is-error";
  }
}
