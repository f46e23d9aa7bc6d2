import type { Config } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import type { AuditLog } from "../store/index.js";

interface Bucket {
  readonly tenant: string;
  readonly source: string;
  readonly actor: string | null;
  readonly role: string | null;
  count: number;
  readonly reasons: Map<string, number>;
  readonly paths: Set<string>;
  readonly first: number;
  last: number;
}

/** Distinct (tenant, source, actor) buckets per interval; past it one bucket per tenant, then only a count. */
const MAX_BUCKETS = 10_000;
const OVERFLOW_BUCKETS = 1_000;
const PATHS_KEPT = 5;

export interface DeniedRequest {
  /** The tenant named in the URL (validated id, or "" when it was not one). */
  readonly tenant: string;
  readonly source: string;
  readonly actor: string | null;
  readonly role: string | null;
  readonly reason: string;
  readonly method: string;
  readonly path: string;
}

/**
 * Denied requests, counted in memory and written by a timer as one
 * `auth.denied` audit entry per tenant, source and interval (with the count,
 * the reasons and a few of the paths tried). Nothing is written or fsynced
 * while the denied request is answered, so a flood of wrong tokens costs a
 * few lines a minute, and a request for a tenant that does not exist does
 * exactly the same work as one with a wrong token for a real tenant: both
 * are counted here; only the flush drops tenants that are not configured.
 */
export class DeniedTally {
  private buckets = new Map<string, Bucket>();
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      readonly audit: AuditLog;
      readonly config: () => Config;
      readonly log: Logger;
      readonly clock?: () => number;
    },
  ) {}

  private now(): number {
    return (this.deps.clock ?? Date.now)();
  }

  add(d: DeniedRequest): void {
    let key = `${d.tenant}\0${d.source}\0${d.actor ?? ""}`;
    let b = this.buckets.get(key);
    if (!b && this.buckets.size >= MAX_BUCKETS) {
      key = `${d.tenant}\0*\0`;
      b = this.buckets.get(key);
      if (!b && this.buckets.size >= MAX_BUCKETS + OVERFLOW_BUCKETS) {
        this.dropped++;
        return;
      }
    }
    const t = this.now();
    if (!b) {
      b = { tenant: d.tenant, source: key.endsWith("\0*\0") ? "*" : d.source, actor: d.actor, role: d.role, count: 0, reasons: new Map(), paths: new Set(), first: t, last: t };
      this.buckets.set(key, b);
    }
    b.count++;
    b.last = t;
    b.reasons.set(d.reason, (b.reasons.get(d.reason) ?? 0) + 1);
    if (b.paths.size < PATHS_KEPT) b.paths.add(`${d.method} ${d.path}`);
  }

  /** Writes what was counted since the last flush; resolves once it is on disk. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    const buckets = this.buckets;
    const dropped = this.dropped;
    this.buckets = new Map();
    this.dropped = 0;
    const config = this.deps.config();
    const writes: Promise<unknown>[] = [];
    for (const b of buckets.values()) {
      if (!config.tenants.has(b.tenant)) continue;
      writes.push(
        this.deps.audit.append(b.tenant, {
          actor: b.actor,
          role: b.role,
          ip: b.source === "*" ? null : b.source,
          action: "auth.denied",
          device: null,
          details: {
            count: b.count,
            reasons: Object.fromEntries(b.reasons),
            paths: [...b.paths],
            first: new Date(b.first).toISOString(),
            last: new Date(b.last).toISOString(),
            ...(b.source === "*" && { sources: "many (past the per-interval limit of distinct sources)" }),
          },
        }),
      );
    }
    const results = await Promise.allSettled(writes);
    for (const r of results) if (r.status === "rejected") this.deps.log.error({ event: "audit.failed", action: "auth.denied", msg: (r.reason as Error).message });
    if (dropped > 0) this.deps.log.warn({ event: "auth.denied_uncounted", count: dropped, msg: "too many distinct denied sources in one interval; these were counted only here" });
  }

  /** Flushes every `limits.auth_denied_interval` of the live config. */
  start(): void {
    if (this.timer) return;
    const arm = () => {
      this.timer = setTimeout(() => {
        void this.flush().finally(() => {
          if (this.timer) arm();
        });
      }, this.deps.config().limits.authDeniedIntervalMs);
      this.timer.unref?.();
    };
    arm();
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }
}
