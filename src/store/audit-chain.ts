import { createHash } from "node:crypto";

/** Every audit action, one table (`device.unblocked` is an admin clearing an auth_failed block). */
export const AUDIT_ACTIONS = [
  "backup.manual",
  "backup.all",
  "config.read",
  "config.read_decrypted",
  "diff.read",
  "hostkey.accepted",
  "device.unblocked",
  "repo.clone",
  "auth.denied",
  "inventory.confirmed",
  "search.read",
  "compare.read",
  "policy.run",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditInput {
  /** Token name, "scheduler" or "cli"; null when nobody could be identified (auth.denied). */
  readonly actor: string | null;
  readonly role: string | null;
  readonly ip: string | null;
  readonly action: AuditAction;
  readonly device: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditEntry extends AuditInput {
  readonly time: string;
  readonly prev: string;
  readonly hash: string;
}

/** `prev` of the first entry of a log. */
export const AUDIT_GENESIS = "0".repeat(64);

/**
 * Canonical form hashed for one entry: JSON of
 * `{time, actor, role, ip, action, device, details, prev}` in exactly this key
 * order, with the keys of `details` (and any nested object) sorted, no spaces.
 * `hash = sha256_hex(prev + "\n" + canonical)`. The line on disk is the same
 * object with `hash` appended, so `prev` links each line to the one before and
 * any edit, removal or reordering breaks the chain.
 */
export function canonicalEntry(e: Omit<AuditEntry, "hash">): string {
  return JSON.stringify({
    time: e.time,
    actor: e.actor,
    role: e.role,
    ip: e.ip,
    action: e.action,
    device: e.device,
    details: sortKeys(e.details),
    prev: e.prev,
  });
}

export function entryHash(e: Omit<AuditEntry, "hash">): string {
  return createHash("sha256").update(`${e.prev}\n${canonicalEntry(e)}`).digest("hex");
}

export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v === undefined ? null : v;
}

/** The next entry of a chain: its line on disk (with the newline) and the entry itself. */
export function chainEntry(prev: string, time: string, input: AuditInput): { line: string; entry: AuditEntry } {
  const base = {
    time,
    actor: input.actor,
    role: input.role,
    ip: input.ip,
    action: input.action,
    device: input.device,
    details: (sortKeys(input.details ?? {}) as Record<string, unknown>) ?? {},
    prev,
  };
  const hash = entryHash(base);
  return { line: `${canonicalEntry(base).slice(0, -1)},"hash":${JSON.stringify(hash)}}\n`, entry: { ...base, hash } };
}

/** One line checked against the hash it must follow: its own hash when it chains, else null. */
export function checkLine(line: string, prev: string): string | null {
  let e: AuditEntry;
  try {
    e = JSON.parse(line) as AuditEntry;
  } catch {
    return null;
  }
  if (!e || typeof e !== "object" || e.prev !== prev || typeof e.hash !== "string" || entryHash(e) !== e.hash) return null;
  return e.hash;
}

/** The `hash` of a line, or null when it is not a readable entry (a torn or edited line). */
export function hashOfLine(line: string): string | null {
  try {
    const h = (JSON.parse(line) as { hash?: unknown }).hash;
    return typeof h === "string" && /^[0-9a-f]{64}$/.test(h) ? h : null;
  } catch {
    return null;
  }
}
