// The API client: every request carries the session's token as a header.

import { session } from "./session.js";

let onTokenRejected = () => {};
/** What to do when a signed-in session's token gets a 401 (revoked or rotated). */
export function whenTokenRejected(fn) {
  onTokenRejected = fn;
}

/** A request of this session's token was refused with 401 (the API client or the event stream saw it). */
export function tokenRejected() {
  onTokenRejected();
}

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export const enc = encodeURIComponent;
export const tenantUrl = (s, rest = "") => `/api/v1/tenants/${enc(s.tenant)}${rest}`;
export const deviceUrl = (id, rest = "") => tenantUrl(session, `/devices/${enc(id)}${rest}`);

/**
 * fetch with the session's token (and `body` sent as JSON). A 401 on a
 * signed-in session means the token was revoked or rotated: sign out and say so.
 */
export async function api(url, { method = "GET", accept = "application/json", auth = session, signal, body } = {}) {
  let res;
  const headers = { Authorization: `Bearer ${auth.token}`, Accept: accept };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    res = await fetch(url, { method, headers, cache: "no-store", signal, ...(body !== undefined && { body: JSON.stringify(body) }) });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, "network", "Cannot reach the rosarchive server. Check the connection and try again.");
  }
  if (res.ok) return res;
  let code = "error";
  let message = res.statusText || `HTTP ${res.status}`;
  try {
    const body = await res.json();
    if (body?.error) ({ code, message } = body.error);
  } catch {
    /* not JSON: keep the status text */
  }
  const err = new ApiError(res.status, String(code), String(message), res.headers.get("retry-after"));
  if (res.status === 401 && auth === session && session) tokenRejected();
  throw err;
}

export const getJson = async (url, opts) => (await api(url, opts)).json();

/** One sentence for an error the user caused or can act on. */
export function describeError(err, what) {
  if (!(err instanceof ApiError)) return `${what} failed: ${err?.message ?? err}`;
  switch (err.status) {
    case 0:
      return err.message;
    case 403:
      return `${what}: not allowed. ${err.message.replace(/^this needs/, "This needs")}; your token's role is too low.`;
    case 404:
      return `${what}: not found.`;
    case 409:
      return `${what}: ${err.code === "busy" ? "a backup of this device is already running. Try again in a moment." : err.message}`;
    case 429:
      return `${what}: too many requests. ${err.message}${err.retryAfter ? ` Try again in ${err.retryAfter} s.` : ""}`;
    default:
      return `${what} failed (${err.code}): ${err.message}`;
  }
}
