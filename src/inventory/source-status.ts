import { formatDuration } from "../common/index.js";
import type { InventorySourceConfig } from "../config/index.js";
import type { SourceState, SyncResult } from "./source-state.js";

/** One source as the API shows it (admin). */
export interface SourceStatus {
  readonly name: string;
  readonly type: InventorySourceConfig["type"];
  /** `never` (not read yet), `ok`, `failing` (its last good list stays in force), `refused` (a removal waits for confirmation). */
  readonly state: "never" | "ok" | "failing" | "refused";
  readonly interval: string;
  readonly max_removal: string;
  readonly last_sync: string | null;
  readonly last_success: string | null;
  readonly next_sync: string | null;
  readonly result: SyncResult | null;
  readonly last_error: { readonly code: string; readonly message: string } | null;
  readonly devices: number;
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly skipped_count: number;
  readonly skipped: ReadonlyArray<{ readonly row: string; readonly reason: string }>;
  readonly refused_removal: {
    readonly devices: readonly string[];
    readonly count: number;
    readonly share: number;
    readonly tenant_devices: number;
    readonly since: string;
    readonly digest: string;
  } | null;
}

/** A source's state as the API and the sources page show it, pure. */
export function sourceStatus(source: InventorySourceConfig, s: SourceState, nextSync: string | null): SourceStatus {
  const failing = s.result === "failed" || s.result === "invalid";
  return {
    name: source.name,
    type: source.type,
    state: failing ? "failing" : s.pending ? "refused" : s.records === null ? "never" : "ok",
    interval: formatDuration(source.intervalMs),
    max_removal: `${Math.round(source.maxRemoval * 10000) / 100}%`,
    last_sync: s.last_sync,
    last_success: s.last_success,
    next_sync: nextSync,
    result: s.result,
    last_error: s.last_error,
    devices: s.records?.length ?? 0,
    added: s.added,
    removed: s.removed,
    changed: s.changed,
    skipped_count: s.skipped_count,
    skipped: s.skipped,
    refused_removal: s.pending
      ? { devices: s.pending.removed.slice(0, 100), count: s.pending.removed.length, share: s.pending.share, tenant_devices: s.pending.devices, since: s.pending.since, digest: s.pending.digest }
      : null,
  };
}
