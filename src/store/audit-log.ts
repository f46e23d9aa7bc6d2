import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";

/** SPEC §11 actions (at least these). */
export type AuditAction =
  | "backup.manual"
  | "config.read"
  | "config.read_decrypted"
  | "diff.read"
  | "hostkey.accepted"
  | "repo.clone"
  | "auth.denied"
  | "inventory.confirmed";

export interface AuditInput {
  /** Token name, or "scheduler"; null when nobody could be identified (auth.denied). */
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

export interface AuditVerdict {
  readonly ok: boolean;
  readonly entries: number;
  /** 1-based line number of the first entry that does not chain. */
  readonly brokenAt?: number;
}

/** `prev` of the first entry of a log. */
export const AUDIT_GENESIS = "0".repeat(64);

/**
 * Canonical form hashed for one entry: JSON of
 * `{time, actor, role, ip, action, device, details, prev}` in exactly this key
 * order, with the keys of `details` (and any nested object) sorted, no spaces.
 * `hash = sha256_hex(prev + "\n" + canonical)`. The line on disk is the same
 * object with `hash` appended, so `prev` links each line to the one before and
 * any edit, removal or reordering breaks the chain (SPEC §11).
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

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v === undefined ? null : v;
}

/**
 * Append-only, hash-chained audit log, one JSONL file per tenant under
 * `state_dir/audit/`. Appends are serialized per tenant in this process, each
 * line written with O_APPEND and fsynced before the append resolves.
 */
export class AuditLog {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly lastHash = new Map<string, string>();

  constructor(private readonly stateDir: string, private readonly clock: () => number = Date.now) {}

  file(tenant: string): string {
    return path.join(this.stateDir, "audit", `${tenant}.jsonl`);
  }

  append(tenant: string, input: AuditInput): Promise<AuditEntry> {
    const prevRun = this.queues.get(tenant) ?? Promise.resolve();
    const run = prevRun.then(
      () => this.appendNow(tenant, input),
      () => this.appendNow(tenant, input),
    );
    this.queues.set(tenant, run.catch(() => undefined));
    return run;
  }

  private async appendNow(tenant: string, input: AuditInput): Promise<AuditEntry> {
    const file = this.file(tenant);
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    let prev = this.lastHash.get(tenant);
    if (prev === undefined) prev = await this.readLastHash(file);
    const base = {
      time: new Date(this.clock()).toISOString(),
      actor: input.actor,
      role: input.role,
      ip: input.ip,
      action: input.action,
      device: input.device,
      details: (sortKeys(input.details ?? {}) as Record<string, unknown>) ?? {},
      prev,
    };
    const hash = entryHash(base);
    const line = `${canonicalEntry(base).slice(0, -1)},"hash":${JSON.stringify(hash)}}\n`;
    const fh = await fs.open(file, "a", 0o600);
    try {
      await fh.write(line);
      await fh.sync();
    } finally {
      await fh.close();
    }
    this.lastHash.set(tenant, hash);
    return { ...base, hash };
  }

  /** Hash of the last line on disk (the log may predate this process). */
  private async readLastHash(file: string): Promise<string> {
    const lines = await readLines(file);
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const h = (JSON.parse(lines[i]!) as { hash?: unknown }).hash;
        if (typeof h === "string") return h;
      } catch {
        /* a torn last line (crash mid-write): chain from the one before */
      }
    }
    return AUDIT_GENESIS;
  }

  /** Newest first, at most `limit`. */
  async list(tenant: string, limit: number): Promise<AuditEntry[]> {
    const lines = await readLines(this.file(tenant));
    const out: AuditEntry[] = [];
    for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
      try {
        out.push(JSON.parse(lines[i]!) as AuditEntry);
      } catch {
        /* unreadable line: verify() reports it */
      }
    }
    return out;
  }

  async verify(tenant: string): Promise<AuditVerdict> {
    const lines = await readLines(this.file(tenant));
    let prev = AUDIT_GENESIS;
    for (let i = 0; i < lines.length; i++) {
      let e: AuditEntry;
      try {
        e = JSON.parse(lines[i]!) as AuditEntry;
      } catch {
        return { ok: false, entries: lines.length, brokenAt: i + 1 };
      }
      if (!e || typeof e !== "object" || e.prev !== prev || typeof e.hash !== "string" || entryHash(e) !== e.hash) {
        return { ok: false, entries: lines.length, brokenAt: i + 1 };
      }
      prev = e.hash;
    }
    return { ok: true, entries: lines.length };
  }
}

async function readLines(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return text.split("\n").filter((l) => l !== "");
}
