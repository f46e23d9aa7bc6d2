// The signed-in tenant and token, kept in this tab's sessionStorage only
// (never localStorage, a cookie or a URL).

const SESSION_KEY = "rosarchive.session";
/** Tenant and device ids as the API accepts them. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** @type {{tenant: string, token: string} | null} */
export let session = loadSession();

function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
    if (s && typeof s.tenant === "string" && typeof s.token === "string" && ID_PATTERN.test(s.tenant) && s.token) return { tenant: s.tenant, token: s.token };
  } catch {
    /* a damaged entry is the same as none */
  }
  return null;
}

export function saveSession(s) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  session = s;
}

/** Forgets the token (sign out, or a token the server no longer accepts). */
export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
  session = null;
}
