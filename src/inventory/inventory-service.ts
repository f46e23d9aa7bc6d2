import { watch, type FSWatcher } from "node:fs";
import path from "node:path";
import { asRosarchiveError, RosarchiveError } from "../common/index.js";
import type { Config, InventorySourceConfig, Role } from "../config/index.js";
import type { EventSink, InventoryEvent } from "../notify/index.js";
import type { Logger } from "../observe/index.js";
import type { AuditInput } from "../store/index.js";
import type { InventoryRecord } from "./inventory-record.js";
import type { InventoryLists } from "./merge-inventory.js";
import { planSync } from "./plan-sync.js";
import type { SourceRead } from "./read-source.js";
import { NEW_SOURCE, type SourceState, type SourceStateStore, type SyncResult } from "./source-state.js";
import { sourceStatus, type SourceStatus } from "./source-status.js";

/** Metrics hooks; never allowed to fail a sync. */
export interface InventoryObserver {
  sync?(tenant: string, source: string, result: SyncResult): void;
  /** Up (read fine), list size, devices waiting for a confirmation; `null` when the source is gone. */
  gauges?(tenant: string, source: string, g: { up: boolean; devices: number; pending: number } | null): void;
}

export interface InventoryServiceDeps {
  readonly store: SourceStateStore;
  /** Reads one source once (read-source.ts with its edges bound). */
  readonly read: (s: InventorySourceConfig, etag: string | null, signal: AbortSignal) => Promise<SourceRead>;
  readonly events: EventSink;
  /** Appends an audit entry (confirmations). */
  readonly audit: (tenant: string, entry: AuditInput) => Promise<unknown>;
  readonly log: Logger;
  readonly clock: () => number;
  readonly ids: () => string;
  readonly observe?: InventoryObserver;
  /** Re-read file sources as soon as the file changes (default true). */
  readonly watchFiles?: boolean;
  /** How often a refused removal looks for a confirmation written by the CLI (default 2 s). */
  readonly confirmPollMs?: number;
}

interface Slot {
  readonly tenant: string;
  source: InventorySourceConfig;
  state: SourceState;
  timer: NodeJS.Timeout | null;
  nextAt: number | null;
  watcher: FSWatcher | null;
  debounce: NodeJS.Timeout | null;
  running: Promise<SyncResult> | null;
  /** The read that follows the running one, shared by everyone who asked meanwhile. */
  queued: Promise<SyncResult> | null;
}

const key = (tenant: string, source: string) => `${tenant}/${source}`;
const iso = (ms: number) => new Date(ms).toISOString();
/** Skipped rows kept for the status (the count is always complete). */
const SKIPPED_SHOWN = 50;

/**
 * Per tenant, the devices each inventory source lists. It reads every source
 * on its interval (file sources also when the file changes), plans each new
 * list (plan-sync.ts) and applies it, or keeps the last good list when the
 * read fails, the list cannot be merged, or it would remove too many devices
 * (then it waits for an admin's confirmation). Last good lists and statuses
 * are persisted, so a restart serves them at once. Changes of the lists are
 * announced to `onChange` listeners, which put the merged config in force.
 */
export class InventoryService {
  private readonly slots = new Map<string, Slot>();
  private readonly listeners = new Set<(lists: InventoryLists) => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly abort = new AbortController();
  private confirmTimer: NodeJS.Timeout | null = null;
  private started = false;
  private stopped = false;

  private constructor(private fileConfig: Config, private readonly deps: InventoryServiceDeps) {}

  /** Loads every configured source's persisted list and status. */
  static async open(fileConfig: Config, deps: InventoryServiceDeps): Promise<InventoryService> {
    const s = new InventoryService(fileConfig, deps);
    await s.addSlots(fileConfig);
    return s;
  }

  private async addSlots(config: Config): Promise<void> {
    for (const tenant of config.tenants.values()) {
      for (const source of tenant.inventory) {
        const k = key(tenant.id, source.name);
        const existing = this.slots.get(k);
        if (existing) {
          const changed = JSON.stringify(existing.source) !== JSON.stringify(source);
          existing.source = source;
          if (changed) this.unwatch(existing); // a file source may name another file now
          if (changed && this.started) this.arm(existing, 0);
          continue;
        }
        const state = await this.deps.store.get(tenant.id, source.name).catch((err) => {
          this.deps.log.warn({ event: "inventory.state_unreadable", tenant: tenant.id, source: source.name, msg: (err as Error).message });
          return NEW_SOURCE;
        });
        const slot: Slot = { tenant: tenant.id, source, state, timer: null, nextAt: null, watcher: null, debounce: null, running: null, queued: null };
        this.slots.set(k, slot);
        this.gauges(slot);
        if (this.started) this.arm(slot, 0);
      }
    }
  }

  /** Every source's last good list (sources never read are absent). */
  lists(): InventoryLists {
    const out = new Map<string, Map<string, readonly InventoryRecord[]>>();
    for (const s of this.slots.values()) {
      if (s.state.records === null) continue;
      let t = out.get(s.tenant);
      if (!t) out.set(s.tenant, (t = new Map()));
      t.set(s.source.name, s.state.records);
    }
    return out;
  }

  /** True when every source of the tenant has a list: only then may devices missing from it be retired. */
  known(tenant: string): boolean {
    for (const s of this.slots.values()) if (s.tenant === tenant && s.state.records === null) return false;
    return true;
  }

  onChange(fn: (lists: InventoryLists) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Reads every source now, then on its interval; watches file sources. */
  start(): void {
    this.started = true;
    for (const slot of this.slots.values()) this.arm(slot, 0);
    this.confirmTimer = setInterval(() => void this.pollConfirmations(), this.deps.confirmPollMs ?? 2000);
    this.confirmTimer.unref?.();
  }

  /**
   * A new config file (SIGHUP): sources added are read now, sources changed
   * are re-read, sources removed are forgotten (their devices leave the
   * tenant, so they are retired). The caller merges and applies.
   */
  async reconfigure(next: Config): Promise<void> {
    this.fileConfig = next;
    const wanted = new Set<string>();
    for (const t of next.tenants.values()) for (const s of t.inventory) wanted.add(key(t.id, s.name));
    for (const [k, slot] of this.slots) {
      if (wanted.has(k)) continue;
      this.disarm(slot);
      this.slots.delete(k);
      this.deps.observe?.gauges?.(slot.tenant, slot.source.name, null);
      await this.deps.store.forget(slot.tenant, slot.source.name).catch(() => {});
      this.deps.log.info({ event: "inventory.source_removed", tenant: slot.tenant, source: slot.source.name });
    }
    await this.addSlots(next);
  }

  status(tenant: string): SourceStatus[] {
    const t = this.fileConfig.tenants.get(tenant);
    if (!t) return [];
    const slots = t.inventory.map((src) => this.slots.get(key(tenant, src.name)));
    // A source added by a reload in progress has no slot yet: it shows from the next request on.
    return slots.filter((x): x is Slot => x !== undefined).map((slot) => this.statusOf(slot));
  }

  private statusOf(slot: Slot): SourceStatus {
    return sourceStatus(slot.source, slot.state, slot.nextAt === null ? null : iso(slot.nextAt));
  }

  /** Reads one source now. While one runs, the next waits for it (callers share that next read) and answers its result. */
  sync(tenant: string, source: string): Promise<SyncResult> {
    const slot = this.slots.get(key(tenant, source));
    if (!slot) return Promise.reject(new RosarchiveError("not_found", `tenant ${tenant} has no inventory source ${source}`));
    if (slot.running) {
      slot.queued ??= slot.running
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          slot.queued = null;
          return this.sync(tenant, source);
        });
      return slot.queued;
    }
    const run = this.syncOnce(slot).finally(() => {
      slot.running = null;
      const current = this.slots.get(key(slot.tenant, slot.source.name)) === slot;
      if (!slot.queued && current && this.started && !this.stopped) this.arm(slot, slot.source.intervalMs);
    });
    slot.running = run;
    return run;
  }

  private async syncOnce(slot: Slot): Promise<SyncResult> {
    const { source, tenant } = slot;
    let read: SourceRead | RosarchiveError;
    try {
      read = await this.deps.read(source, slot.state.etag, this.abort.signal);
    } catch (err) {
      read = asRosarchiveError(err);
    }
    // Planning and applying are serialized across sources: each plan sees the lists the others applied.
    return this.serial(async () => {
      if (this.slots.get(key(tenant, source.name)) !== slot) return "unchanged";
      const now = this.deps.clock();
      if (read instanceof RosarchiveError) return this.fail(slot, read, "failed", now);
      if (read.kind === "not_modified") {
        await this.settle(slot, { ...slot.state, last_sync: iso(now), last_success: iso(now), result: "not_modified", last_error: null }, "not_modified");
        return "not_modified";
      }
      const confirmation = slot.state.pending ? await this.deps.store.readConfirmation(tenant, source.name) : null;
      const plan = planSync({ config: this.fileConfig, lists: this.lists(), tenant, source, next: read.list.records, confirmed: null });
      const skipped = { skipped: read.list.skipped.slice(0, SKIPPED_SHOWN), skipped_count: read.list.skipped.length };
      if (plan.kind === "invalid") return this.fail(slot, new RosarchiveError("inventory_invalid", plan.problems.slice(0, 20).join("\n")), "invalid", now, skipped);
      if (plan.kind === "refuse") {
        const fresh = slot.state.pending?.digest !== plan.digest;
        const pending = fresh ? { records: read.list.records, etag: read.etag, removed: plan.removed, share: plan.share, devices: plan.devices, digest: plan.digest, since: iso(now) } : slot.state.pending!;
        await this.settle(slot, { ...slot.state, ...skipped, last_sync: iso(now), last_success: iso(now), result: "refused", last_error: null, pending }, "refused");
        if (fresh) {
          this.deps.log.warn({ event: "inventory.removal_refused", tenant, source: source.name, removed: plan.removed.length, share: plan.share, max_removal: source.maxRemoval, digest: plan.digest });
          await this.emit(slot, "inventory.removal_refused", null, now, { devices: plan.removed.slice(0, 100), count: plan.removed.length, share: plan.share, max_removal: source.maxRemoval, digest: plan.digest });
        }
        // A confirmation the CLI wrote for exactly this removal applies now.
        if (confirmation && confirmation.digest === plan.digest) await this.applyConfirmed(slot, { actor: confirmation.actor, role: null, ip: null, via: "cli" });
        return "refused";
      }
      const result: SyncResult = plan.added.length + plan.removed.length + plan.changed.length > 0 || slot.state.records === null ? "changed" : "unchanged";
      await this.settle(
        slot,
        { ...slot.state, ...skipped, records: read.list.records, etag: read.etag, last_sync: iso(now), last_success: iso(now), result, last_error: null, pending: null, ...(result === "changed" && { added: plan.added.length, removed: plan.removed.length, changed: plan.changed.length }) },
        result,
      );
      if (confirmation) await this.deps.store.removeConfirmation(tenant, source.name).catch(() => {});
      if (result === "changed") {
        this.deps.log.info({ event: "inventory.synced", tenant, source: source.name, devices: read.list.records.length, added: plan.added.length, removed: plan.removed.length, changed: plan.changed.length, skipped: read.list.skipped.length });
        this.announce();
      }
      return result;
    });
  }

  /** Records a failure: the last good list stays; one `inventory.failed` per transition. */
  private async fail(slot: Slot, err: RosarchiveError, result: "failed" | "invalid", now: number, skipped?: Pick<SourceState, "skipped" | "skipped_count">): Promise<SyncResult> {
    const before = slot.state;
    const wasFailing = before.result === "failed" || before.result === "invalid";
    await this.settle(slot, { ...before, ...skipped, last_sync: iso(now), result, last_error: { code: err.code, message: err.message } }, result);
    this.deps.log.warn({ event: "inventory.failed", tenant: slot.tenant, source: slot.source.name, code: err.code, msg: err.message.split("\n")[0] });
    if (!wasFailing || before.last_error?.code !== err.code) await this.emit(slot, "inventory.failed", { code: err.code, message: err.message }, now);
    return result;
  }

  /** Persists a slot's new state, counts it, and tells of a recovery. */
  private async settle(slot: Slot, next: SourceState, result: SyncResult): Promise<void> {
    const wasFailing = slot.state.result === "failed" || slot.state.result === "invalid";
    slot.state = next;
    // Metrics change with the state the API shows, before the file is written.
    this.deps.observe?.sync?.(slot.tenant, slot.source.name, result);
    this.gauges(slot);
    await this.deps.store.put(slot.tenant, slot.source.name, next).catch((err) => this.deps.log.error({ event: "inventory.state_write_failed", tenant: slot.tenant, source: slot.source.name, msg: (err as Error).message }));
    if (wasFailing && result !== "failed" && result !== "invalid") await this.emit(slot, "inventory.recovered", null, this.deps.clock());
  }

  private gauges(slot: Slot): void {
    const s = slot.state;
    this.deps.observe?.gauges?.(slot.tenant, slot.source.name, { up: s.result !== "failed" && s.result !== "invalid", devices: s.records?.length ?? 0, pending: s.pending?.removed.length ?? 0 });
  }

  private async emit(slot: Slot, event: InventoryEvent["event"], error: InventoryEvent["error"], now: number, removal?: InventoryEvent["removal"]): Promise<void> {
    try {
      await this.deps.events.emit({ event, id: this.deps.ids(), tenant: slot.tenant, source: slot.source.name, time: iso(now).replace(/\.\d{3}Z$/, "Z"), error, ...(removal && { removal }) });
    } catch (err) {
      this.deps.log.error({ event: "inventory.event_failed", tenant: slot.tenant, source: slot.source.name, msg: (err as Error).message });
    }
  }

  private announce(): void {
    const lists = this.lists();
    for (const fn of this.listeners) {
      try {
        fn(lists);
      } catch (err) {
        this.deps.log.error({ event: "inventory.apply_failed", msg: (err as Error).message });
      }
    }
  }

  /**
   * An admin confirms the refused removal of a source (API or CLI). With
   * `digest`, only that very removal is confirmed: if the source has since
   * answered differently, the admin must look again. Audited.
   */
  confirm(tenant: string, source: string, who: { actor: string; role: Role | null; ip: string | null; digest?: string | null; via: "api" | "cli" }): Promise<{ removed: readonly string[] }> {
    const slot = this.slots.get(key(tenant, source));
    if (!slot) return Promise.reject(new RosarchiveError("not_found", `tenant ${tenant} has no inventory source ${source}`));
    return this.serial(async () => {
      const pending = slot.state.pending;
      if (!pending) throw new RosarchiveError("conflict", `inventory source ${source} has no refused removal to confirm`);
      if (who.digest && who.digest !== pending.digest) throw new RosarchiveError("conflict", `the refused removal of ${source} changed since it was shown (now ${pending.removed.length} devices, digest ${pending.digest}): look at it again`);
      return this.applyConfirmed(slot, who);
    });
  }

  /** Applies the pending list (inside the serial section). */
  private async applyConfirmed(slot: Slot, who: { actor: string; role: Role | null; ip: string | null; via: "api" | "cli" }): Promise<{ removed: readonly string[] }> {
    const pending = slot.state.pending!;
    const plan = planSync({ config: this.fileConfig, lists: this.lists(), tenant: slot.tenant, source: slot.source, next: pending.records, confirmed: pending.digest });
    if (plan.kind === "invalid") throw new RosarchiveError("conflict", `the refused list of ${slot.source.name} cannot be applied any more: ${plan.problems.slice(0, 5).join("; ")}`);
    if (plan.kind === "refuse") throw new RosarchiveError("conflict", `the refused removal of ${slot.source.name} changed (now ${plan.removed.length} devices): look at it again`);
    const now = this.deps.clock();
    await this.deps.audit(slot.tenant, {
      actor: who.actor,
      role: who.role,
      ip: who.ip,
      action: "inventory.confirmed",
      device: null,
      details: { source: slot.source.name, via: who.via, digest: pending.digest, count: plan.removed.length, removed: plan.removed.slice(0, 100) },
    });
    await this.settle(slot, { ...slot.state, records: pending.records, etag: pending.etag, pending: null, result: "changed", last_error: null, last_sync: iso(now), added: plan.added.length, removed: plan.removed.length, changed: plan.changed.length }, "changed");
    await this.deps.store.removeConfirmation(slot.tenant, slot.source.name).catch(() => {});
    this.deps.log.info({ event: "inventory.removal_confirmed", tenant: slot.tenant, source: slot.source.name, actor: who.actor, via: who.via, removed: plan.removed.length });
    this.announce();
    return { removed: plan.removed };
  }

  /** Confirmations written by `rosarchive inventory confirm` for sources with a refused removal. */
  private async pollConfirmations(): Promise<void> {
    for (const slot of this.slots.values()) {
      if (!slot.state.pending) continue;
      const c = await this.deps.store.readConfirmation(slot.tenant, slot.source.name);
      if (!c) continue;
      try {
        await this.serial(async () => {
          if (!slot.state.pending) return;
          if (c.digest !== slot.state.pending.digest) {
            this.deps.log.warn({ event: "inventory.confirmation_stale", tenant: slot.tenant, source: slot.source.name, digest: c.digest, pending: slot.state.pending.digest });
            await this.deps.store.removeConfirmation(slot.tenant, slot.source.name);
            return;
          }
          await this.applyConfirmed(slot, { actor: c.actor, role: null, ip: null, via: "cli" });
        });
      } catch (err) {
        this.deps.log.error({ event: "inventory.confirmation_failed", tenant: slot.tenant, source: slot.source.name, msg: (err as Error).message });
        await this.deps.store.removeConfirmation(slot.tenant, slot.source.name).catch(() => {});
      }
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Next read of a slot in `ms`; file sources also watch their folder (a rename over the file is seen too). */
  private arm(slot: Slot, ms: number): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.nextAt = this.deps.clock() + ms;
    slot.timer = setTimeout(() => {
      slot.timer = null;
      void this.sync(slot.tenant, slot.source.name).catch(() => {});
    }, ms);
    slot.timer.unref?.();
    if (slot.source.type === "file" && !slot.watcher && this.deps.watchFiles !== false) {
      const file = slot.source.path;
      try {
        slot.watcher = watch(path.dirname(file), { persistent: false }, (_kind, name) => {
          if (name !== null && name !== path.basename(file)) return;
          if (slot.debounce) clearTimeout(slot.debounce);
          slot.debounce = setTimeout(() => void this.sync(slot.tenant, slot.source.name).catch(() => {}), 300);
          slot.debounce.unref?.();
        });
        slot.watcher.on("error", () => this.unwatch(slot));
      } catch {
        // The folder is missing: the interval still reads it, and reports the error.
      }
    }
  }

  private unwatch(slot: Slot): void {
    slot.watcher?.close();
    slot.watcher = null;
  }

  private disarm(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    if (slot.debounce) clearTimeout(slot.debounce);
    slot.timer = null;
    slot.nextAt = null;
    this.unwatch(slot);
  }

  /** Stops reading sources; a read in flight is aborted, a sync being applied finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.confirmTimer) clearInterval(this.confirmTimer);
    for (const slot of this.slots.values()) this.disarm(slot);
    this.abort.abort();
    await Promise.allSettled([...this.slots.values()].map((s) => s.running));
    await this.chain;
  }
}
