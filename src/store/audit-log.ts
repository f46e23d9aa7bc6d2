import { promises as fs } from "node:fs";
import path from "node:path";
import { AUDIT_GENESIS, chainEntry, checkLine, hashOfLine, type AuditEntry, type AuditInput } from "./audit-chain.js";
import { completeLength, fileSize, linesBackward, linesForward, LINE_TOO_LONG, listSegments, migrateSingleFileLog, segmentFile, syncDir } from "./audit-segments.js";
import { withFileLock } from "./file-lock.js";

export interface AuditVerdict {
  readonly ok: boolean;
  readonly entries: number;
  readonly segments: number;
  /** The first segment checked (1 unless `from` was given). */
  readonly from: number;
  /** Where the chain first breaks: segment file name and 1-based line in it. */
  readonly brokenAt?: { readonly segment: string; readonly line: number };
  /** What is wrong there, in words. */
  readonly reason?: string;
}

export interface AuditLogOptions {
  readonly clock?: () => number;
  /** A batch that finds its segment at or past this size starts the next segment. */
  readonly segmentBytes?: number;
  /** Lines longer than this are never read back whole (a damaged or hostile file). */
  readonly maxLineBytes?: number;
  /** Told about repairs and migrations (the caller logs them). */
  readonly onNotice?: (event: string, facts: Record<string, unknown>) => void;
  /** Told about every batch written: entries in it and milliseconds from lock to fsync. */
  readonly onBatch?: (tenant: string, entries: number, ms: number) => void;
}

export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const MAX_LINE = 1024 * 1024;
/** Entries per write: one batch is one write() and one fsync. */
const MAX_BATCH = 4096;

interface Pending {
  readonly input: AuditInput;
  readonly time: string;
  resolve(e: AuditEntry): void;
  reject(err: unknown): void;
}

/** What this process last wrote: when the segment on disk still matches it, the last hash needs no read. */
interface Tip {
  readonly segment: number;
  readonly size: number;
  readonly hash: string;
}

interface TenantWriter {
  readonly queue: Pending[];
  draining: Promise<void> | null;
  tip: Tip | null;
}

/**
 * Append-only, hash-chained audit log per tenant, kept in segments under
 * `state_dir/audit/<tenant>/` with the chain carried across them.
 *
 * Group commit: entries queued while a batch is being written go to disk
 * together as the next batch, one write and one fsync, so a burst of reads
 * costs a few fsyncs, not one each. `append` resolves when its entry is on
 * disk; callers that must not wait (reads) do not await it. Each batch is
 * written under a lock file, so a CLI command appending beside a running
 * `serve` extends the same chain.
 */
export class AuditLog {
  private readonly writers = new Map<string, TenantWriter>();
  private readonly migrated = new Set<string>();
  private readonly clock: () => number;
  private readonly segmentBytes: number;
  private readonly maxLine: number;
  private readonly notice: (event: string, facts: Record<string, unknown>) => void;
  private readonly onBatch: (tenant: string, entries: number, ms: number) => void;

  constructor(private readonly stateDir: string, opts: AuditLogOptions | (() => number) = {}) {
    const o = typeof opts === "function" ? { clock: opts } : opts;
    this.clock = o.clock ?? Date.now;
    this.segmentBytes = o.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.maxLine = o.maxLineBytes ?? MAX_LINE;
    this.notice = o.onNotice ?? (() => {});
    this.onBatch = o.onBatch ?? (() => {});
  }

  /** The tenant's folder of segments. */
  dir(tenant: string): string {
    return path.join(this.stateDir, "audit", tenant);
  }

  /** Segment `n` of the tenant (1 is the oldest). */
  segment(tenant: string, n: number): string {
    return segmentFile(this.dir(tenant), n);
  }

  /** Queues one entry; resolves once it is on disk (with the batch it went in). */
  append(tenant: string, input: AuditInput): Promise<AuditEntry> {
    const w = this.writer(tenant);
    const done = new Promise<AuditEntry>((resolve, reject) => {
      w.queue.push({ input, time: new Date(this.clock()).toISOString(), resolve, reject });
    });
    if (!w.draining) w.draining = this.drain(tenant, w);
    return done;
  }

  /** Entries queued and not yet on disk. */
  pending(tenant: string): number {
    return this.writers.get(tenant)?.queue.length ?? 0;
  }

  /** Resolves when everything queued so far is on disk (or failed). */
  async flush(): Promise<void> {
    for (const w of this.writers.values()) await w.draining?.catch(() => undefined);
  }

  /** Moves a single-file log of an earlier version into segment 1 (done on first use too). */
  async migrate(tenant: string): Promise<void> {
    if (this.migrated.has(tenant)) return;
    const root = path.join(this.stateDir, "audit");
    await fs.mkdir(root, { recursive: true, mode: 0o700 });
    const moved = await withFileLock(path.join(root, `.${tenant}.lock`), () => migrateSingleFileLog(root, tenant));
    if (moved) this.notice("audit.migrated", { tenant, segment: this.segment(tenant, 1) });
    this.migrated.add(tenant);
  }

  private writer(tenant: string): TenantWriter {
    let w = this.writers.get(tenant);
    if (!w) this.writers.set(tenant, (w = { queue: [], draining: null, tip: null }));
    return w;
  }

  private async drain(tenant: string, w: TenantWriter): Promise<void> {
    // Let the entries of this tick join the first batch.
    await new Promise((r) => setImmediate(r));
    try {
      while (w.queue.length > 0) {
        const batch = w.queue.splice(0, MAX_BATCH);
        try {
          const started = Date.now();
          const entries = await this.writeBatch(tenant, w, batch);
          this.onBatch(tenant, entries.length, Date.now() - started);
          batch.forEach((p, i) => p.resolve(entries[i]!));
        } catch (err) {
          w.tip = null; // re-read the tail next time
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      w.draining = null;
    }
  }

  private async writeBatch(tenant: string, w: TenantWriter, batch: readonly Pending[]): Promise<AuditEntry[]> {
    await this.migrate(tenant);
    const dir = this.dir(tenant);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    return withFileLock(path.join(path.dirname(dir), `.${tenant}.lock`), async () => {
      let tip = await this.currentTip(tenant, w.tip);
      let created = false;
      if (tip.size >= this.segmentBytes) {
        tip = { segment: tip.segment + 1, size: 0, hash: tip.hash };
        created = true;
      }
      const lines: string[] = [];
      const entries: AuditEntry[] = [];
      let prev = tip.hash;
      for (const p of batch) {
        const { line, entry } = chainEntry(prev, p.time, p.input);
        lines.push(line);
        entries.push(entry);
        prev = entry.hash;
      }
      const data = Buffer.from(lines.join(""), "utf8");
      const fh = await fs.open(segmentFile(dir, tip.segment), "a", 0o600);
      try {
        await fh.write(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (created) await syncDir(dir);
      w.tip = { segment: tip.segment, size: tip.size + data.length, hash: prev };
      return entries;
    });
  }

  /**
   * The segment to append to, its size and the last hash of the chain. Read
   * from disk only when another writer changed it since this process wrote
   * (or at first use): the tail of the last segment, never the whole file. A
   * torn last line (a crash mid-write) is cut off first.
   */
  private async currentTip(tenant: string, cached: Tip | null): Promise<Tip> {
    const dir = this.dir(tenant);
    const segments = await listSegments(dir);
    const last = segments.at(-1) ?? 1;
    const file = segmentFile(dir, last);
    let size = await fileSize(file);
    if (cached && cached.segment === last && cached.size === size) return cached;
    const complete = await completeLength(file, this.maxLine);
    if (complete < size) {
      await fs.truncate(file, complete);
      this.notice("audit.torn_line_removed", { tenant, segment: path.basename(file), bytes: size - complete });
      size = complete;
    }
    let hash = await this.lastHashOf(file, size);
    for (let i = segments.length - 2; hash === null && i >= 0; i--) {
      const earlier = segmentFile(dir, segments[i]!);
      hash = await this.lastHashOf(earlier, await completeLength(earlier, this.maxLine));
    }
    return { segment: last, size, hash: hash ?? AUDIT_GENESIS };
  }

  /** Hash of the last readable entry of `file[0, end)`; null when it has none. */
  private async lastHashOf(file: string, end: number): Promise<string | null> {
    for await (const line of linesBackward(file, end, this.maxLine)) {
      if (line === LINE_TOO_LONG) return null;
      const h = hashOfLine(line);
      if (h) return h;
    }
    return null;
  }

  /** Newest first, at most `limit`, read from the tail of the newest segments only. */
  async list(tenant: string, limit: number): Promise<AuditEntry[]> {
    await this.migrate(tenant);
    const dir = this.dir(tenant);
    const segments = await listSegments(dir);
    const out: AuditEntry[] = [];
    for (let i = segments.length - 1; i >= 0 && out.length < limit; i--) {
      const file = segmentFile(dir, segments[i]!);
      for await (const line of linesBackward(file, await completeLength(file, this.maxLine), this.maxLine)) {
        if (line === LINE_TOO_LONG) return out; // cannot step over it without reading it whole
        if (line === "") continue;
        try {
          out.push(JSON.parse(line) as AuditEntry);
        } catch {
          continue; // unreadable line: verify reports it
        }
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /**
   * Checks the whole chain, segment after segment, streaming each file:
   * every line parses, links to the one before (across segment boundaries)
   * and carries its own hash. Numbering gaps and a first segment that does
   * not start the chain are breaks too. With `from`, checking starts at that
   * segment, trusting the `prev` of its first line (the older ones archived
   * elsewhere).
   */
  async verify(tenant: string, opts: { from?: number } = {}): Promise<AuditVerdict> {
    await this.migrate(tenant);
    const dir = this.dir(tenant);
    const all = await listSegments(dir);
    const from = opts.from ?? 1;
    const segments = all.filter((n) => n >= from);
    let entries = 0;
    const broken = (n: number, line: number, reason: string): AuditVerdict => ({ ok: false, entries, segments: segments.length, from, brokenAt: { segment: path.basename(segmentFile(dir, n)), line }, reason });
    if (segments.length === 0) {
      return opts.from !== undefined && all.length > 0 ? broken(from, 0, `segment ${from} does not exist`) : { ok: true, entries: 0, segments: 0, from };
    }
    if (segments[0] !== from) return broken(from, 0, opts.from === undefined ? `segment ${from} is missing: the chain does not start at its beginning` : `segment ${from} does not exist`);
    let prev: string | null = opts.from === undefined ? AUDIT_GENESIS : null;
    for (let k = 0; k < segments.length; k++) {
      const n = segments[k]!;
      if (k > 0 && n !== segments[k - 1]! + 1) return broken(segments[k - 1]! + 1, 0, `segment ${segments[k - 1]! + 1} is missing`);
      let lineNo = 0;
      for await (const item of linesForward(segmentFile(dir, n), this.maxLine)) {
        lineNo++;
        if (item === LINE_TOO_LONG) return broken(n, lineNo, "a line longer than any entry");
        if (item.line === "") continue;
        if (item.torn) return broken(n, lineNo, "an incomplete last line (a crash during a write; the next append removes it)");
        const expected = prev ?? anchorOf(item.line);
        const hash = expected === null ? null : checkLine(item.line, expected);
        if (!hash) return broken(n, lineNo, "edited, removed, inserted or reordered");
        prev = hash;
        entries++;
      }
    }
    return { ok: true, entries, segments: segments.length, from };
  }
}

/** The `prev` a segment's first line names: the trusted anchor of a verify that starts there. */
function anchorOf(line: string): string | null {
  try {
    const p = (JSON.parse(line) as { prev?: unknown }).prev;
    return typeof p === "string" ? p : null;
  } catch {
    return null;
  }
}
