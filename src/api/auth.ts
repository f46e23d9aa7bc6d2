import { createHash, timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import type { Config, Role, TenantConfig, TokenConfig } from "../config/index.js";

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAtLeast(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/** The token of `Authorization: Bearer <token>`, or with `basic` also the password of Basic auth (git clients). */
export function presentedToken(req: Request, basic: boolean): string | null {
  const h = req.get("authorization");
  if (!h) return null;
  const bearer = /^Bearer +(\S+)\s*$/i.exec(h);
  if (bearer) return bearer[1]!;
  if (basic) {
    const m = /^Basic +([A-Za-z0-9+/=]+)\s*$/i.exec(h);
    if (m) {
      const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
      const i = decoded.indexOf(":");
      const password = i < 0 ? "" : decoded.slice(i + 1);
      return password || null;
    }
  }
  return null;
}

export type AuthOutcome =
  | { readonly kind: "ok"; readonly tenant: TenantConfig; readonly token: TokenConfig }
  /** No token, or a token no tenant knows: 401. */
  | { readonly kind: "unauthenticated" }
  /** A valid token of another tenant, or an unknown tenant: the uniform 404. */
  | { readonly kind: "foreign" };

/**
 * Compares sha256(token) against every configured token of every tenant in
 * constant time per comparison (no early exit on the tenant's own list), so
 * neither timing nor answer tells which tenants or devices exist. `equal` is
 * the constant-time comparison (a parameter so a test can count the calls).
 */
export function authenticate(config: Config, tenantId: string, token: string | null, equal: (a: Buffer, b: Buffer) => boolean = timingSafeEqual): AuthOutcome {
  if (token === null) return { kind: "unauthenticated" };
  const digest = createHash("sha256").update(token, "utf8").digest();
  let own: TokenConfig | null = null;
  let elsewhere = false;
  for (const t of config.tenants.values()) {
    for (const tok of t.tokens) {
      const want = Buffer.from(tok.sha256, "hex");
      const match = want.length === digest.length && equal(want, digest);
      if (match && t.id === tenantId && own === null) own = tok;
      else if (match) elsewhere = true;
    }
  }
  const tenant = config.tenants.get(tenantId);
  if (own && tenant) return { kind: "ok", tenant, token: own };
  return elsewhere ? { kind: "foreign" } : { kind: "unauthenticated" };
}
