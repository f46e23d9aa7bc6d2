import type { Request, Response } from "express";
import { RosarchiveError, isValidId } from "../common/index.js";
import type { DeviceConfig, Role } from "../config/index.js";
import { authenticate, presentedToken, roleAtLeast } from "./auth.js";
import { sourceOf } from "./client-source.js";
import type { Access, ApiDeps } from "./types.js";

/**
 * The client's address for the audit log and per-source limits: the peer's,
 * or, when the peer is one of `trusted_proxies`, what its `X-Forwarded-For`
 * says (express's `req.ip` under the app's "trust proxy" test).
 */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "";
}

const NOT_FOUND = () => new RosarchiveError("not_found", "not found");

/**
 * Authenticates the request against the tenant named in the URL and checks
 * the role. No token or an unknown token: 401. A token of another tenant, or
 * a tenant that does not exist: the same 404 as a missing device, so nothing
 * is learned about other tenants. Denials are counted for the URL's tenant and
 * written to its audit log, aggregated, by the tally's timer.
 */
export async function requireAccess(deps: ApiDeps, req: Request, res: Response, tenantId: unknown, need: Role, opts: { basic?: boolean } = {}): Promise<Access> {
  const config = deps.config();
  const id = typeof tenantId === "string" && isValidId(tenantId) ? tenantId : "";
  const outcome = authenticate(config, id, presentedToken(req, opts.basic ?? false));
  const ip = clientIp(req);
  // Counted, never written on the response path (denied-tally.ts); the same work whether the tenant exists or not.
  const deny = (reason: string, actor: string | null, role: Role | null) =>
    deps.denied?.add({ tenant: id, source: sourceOf(ip), actor, role, reason, method: req.method, path: req.path.slice(0, 200) });
  if (outcome.kind === "unauthenticated") {
    // git always asks anonymously first and retries with credentials after the 401 challenge: not a denial worth counting.
    const challengeOnly = opts.basic && !req.get("authorization");
    if (!challengeOnly) deny(req.get("authorization") ? "invalid token" : "no token", null, null);
    if (opts.basic) res.set("WWW-Authenticate", 'Basic realm="rosarchive", charset="UTF-8"');
    else res.set("WWW-Authenticate", 'Bearer realm="rosarchive"');
    throw new RosarchiveError("unauthorized", opts.basic ? "a valid token is required: use the tenant's API token as the password" : "a valid token is required (Authorization: Bearer <token>)");
  }
  if (outcome.kind === "foreign") {
    deny("token of another tenant", null, null);
    throw NOT_FOUND();
  }
  const access: Access = { tenant: outcome.tenant, actor: outcome.token.name, role: outcome.token.role, ip, tokenSha256: outcome.token.sha256 };
  if (!roleAtLeast(access.role, need)) {
    deny(`role ${access.role} below ${need}`, access.actor, access.role);
    throw new RosarchiveError("forbidden", `this needs the ${need} role`);
  }
  return access;
}

/** The device named in the URL, within the caller's tenant; unknown devices get the uniform 404. */
export function requireDevice(access: Access, deviceId: unknown): DeviceConfig {
  const d = typeof deviceId === "string" && isValidId(deviceId) ? access.tenant.deviceById.get(deviceId) : undefined;
  if (!d) throw NOT_FOUND();
  return d;
}
