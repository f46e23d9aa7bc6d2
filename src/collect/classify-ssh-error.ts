import { RosarchiveError } from "../common/index.js";

/** Socket-level codes that mean "the device is not there right now": transient, retried. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN",
  "EPIPE", "ECONNABORTED", "EHOSTDOWN", "ENETDOWN", "ETIMEDOUT",
]);

export const ALL_AUTH_FAILED = "All configured authentication methods failed";

type SshError = Error & { code?: unknown; level?: unknown };

/**
 * Ssh2's errors → error codes. `where` is `host:port`; ssh2 messages never
 * carry credentials, so quoting them is safe.
 */
export function classifySshError(err: unknown, where: string, username: string): RosarchiveError {
  if (err instanceof RosarchiveError) return err;
  const e = (err instanceof Error ? err : new Error(String(err))) as SshError;
  const code = typeof e.code === "string" ? e.code : "";
  if (e.level === "client-authentication" || e.message === ALL_AUTH_FAILED) {
    return new RosarchiveError("auth_failed", `${where}: authentication as '${username}' failed (every offered method was refused)`);
  }
  if (e.level === "client-timeout" || code === "ETIMEDOUT") {
    return new RosarchiveError("timeout", `${where}: timed out (${e.message})`);
  }
  if (UNREACHABLE_CODES.has(code)) return new RosarchiveError("unreachable", `${where}: ${code} (${e.message})`, { errno: code });
  if (e.level === "client-socket" || e.level === "client-dns") return new RosarchiveError("unreachable", `${where}: ${e.message}`);
  if (e.level === "handshake") return new RosarchiveError("error", `${where}: SSH handshake failed: ${e.message}`);
  return new RosarchiveError("error", `${where}: ${e.message}`);
}

/** Errors after which ssh2 gives up on the connection (the others are retried by ssh2 itself). */
export function isTerminalSshError(err: unknown): boolean {
  const e = err as SshError;
  if (e?.message === ALL_AUTH_FAILED) return true;
  return ["client-socket", "client-dns", "client-timeout", "handshake", "protocol"].includes(String(e?.level));
}
