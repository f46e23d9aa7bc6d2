import { promises as fs } from "node:fs";
import path from "node:path";
import { readJsonFile, writeFileAtomic } from "../store/index.js";
import type { InventoryRecord } from "./inventory-record.js";

export type SyncResult = "changed" | "unchanged" | "not_modified" | "refused" | "invalid" | "failed";

/** A sync that would remove too many devices, kept until an admin confirms it (or a later answer replaces it). */
export interface PendingRemoval {
  /** The list the source gave, applied as it is on confirmation. */
  readonly records: readonly InventoryRecord[];
  readonly etag: string | null;
  readonly removed: readonly string[];
  readonly share: number;
  /** The tenant's devices when it was refused. */
  readonly devices: number;
  readonly digest: string;
  readonly since: string;
}

/**
 * What the service knows of one source, kept in
 * `state_dir/inventory/<tenant>/<source>.json` so that a restart serves the
 * last good list at once, without waiting for the source. Device keys and
 * credential set names only: sources hold no secrets.
 */
export interface SourceState {
  readonly version: 1;
  /** The last good list (null: never read successfully). */
  readonly records: readonly InventoryRecord[] | null;
  readonly etag: string | null;
  readonly last_sync: string | null;
  readonly last_success: string | null;
  readonly result: SyncResult | null;
  readonly last_error: { readonly code: string; readonly message: string } | null;
  /** Counts of the last applied change. */
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly skipped: ReadonlyArray<{ readonly row: string; readonly reason: string }>;
  readonly skipped_count: number;
  readonly pending: PendingRemoval | null;
}

export const NEW_SOURCE: SourceState = Object.freeze({
  version: 1,
  records: null,
  etag: null,
  last_sync: null,
  last_success: null,
  result: null,
  last_error: null,
  added: 0,
  removed: 0,
  changed: 0,
  skipped: [],
  skipped_count: 0,
  pending: null,
});

/** A confirmation written by `rosarchive inventory confirm` for the running service to apply and audit. */
export interface ConfirmationFile {
  readonly digest: string;
  readonly actor: string;
  readonly time: string;
}

export class SourceStateStore {
  constructor(private readonly stateDir: string) {}

  dir(tenant: string): string {
    return path.join(this.stateDir, "inventory", tenant);
  }

  private file(tenant: string, source: string): string {
    return path.join(this.dir(tenant), `${source}.json`);
  }

  confirmationFile(tenant: string, source: string): string {
    return path.join(this.dir(tenant), `${source}.confirm.json`);
  }

  async get(tenant: string, source: string): Promise<SourceState> {
    const s = await readJsonFile<SourceState>(this.file(tenant, source));
    return s && s.version === 1 ? { ...NEW_SOURCE, ...s } : NEW_SOURCE;
  }

  async put(tenant: string, source: string, state: SourceState): Promise<void> {
    await writeFileAtomic(this.file(tenant, source), `${JSON.stringify(state)}\n`);
  }

  async forget(tenant: string, source: string): Promise<void> {
    await fs.rm(this.file(tenant, source), { force: true });
    await fs.rm(this.confirmationFile(tenant, source), { force: true });
  }

  async readConfirmation(tenant: string, source: string): Promise<ConfirmationFile | null> {
    return readJsonFile<ConfirmationFile>(this.confirmationFile(tenant, source)).catch(() => null);
  }

  async writeConfirmation(tenant: string, source: string, c: ConfirmationFile): Promise<void> {
    await writeFileAtomic(this.confirmationFile(tenant, source), `${JSON.stringify(c)}\n`);
  }

  async removeConfirmation(tenant: string, source: string): Promise<void> {
    await fs.rm(this.confirmationFile(tenant, source), { force: true });
  }
}
