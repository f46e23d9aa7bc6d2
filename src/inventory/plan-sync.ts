import { createHash } from "node:crypto";
import type { Config, InventorySourceConfig } from "../config/index.js";
import type { InventoryRecord } from "./inventory-record.js";
import { mergeInventory, type InventoryLists } from "./merge-inventory.js";

export interface SyncInput {
  /** The configuration as the config file says it (without any source's devices). */
  readonly config: Config;
  /** Every source's last good list. */
  readonly lists: InventoryLists;
  readonly tenant: string;
  readonly source: InventorySourceConfig;
  /** What the source lists now. */
  readonly next: readonly InventoryRecord[];
  /** The removal an admin confirmed for this source (its digest), if any. */
  readonly confirmed: string | null;
}

export type SyncPlan =
  | {
      readonly kind: "apply";
      readonly added: readonly string[];
      /** Devices that leave the tenant (they will be retired). */
      readonly removed: readonly string[];
      readonly changed: readonly string[];
      readonly lists: InventoryLists;
      readonly config: Config;
    }
  | { readonly kind: "refuse"; readonly removed: readonly string[]; readonly share: number; readonly devices: number; readonly digest: string }
  | { readonly kind: "invalid"; readonly problems: readonly string[] };

/**
 * What one sync of one source does, pure:
 * - `invalid` when the new list cannot be merged (an id also listed by
 *   another source or the config file, two devices on one path, an unknown
 *   credential set): nothing changes;
 * - `refuse` when it would remove more than the source's `max_removal` of the
 *   tenant's devices, counted before the sync, unless an admin confirmed
 *   exactly this removal (same digest): nothing changes until then;
 * - `apply` otherwise. A source's first sync removes nothing.
 */
export function planSync(input: SyncInput): SyncPlan {
  const { config, lists, tenant, source, next } = input;
  const candidate = withList(lists, tenant, source.name, next);
  const merged = mergeInventory(config, candidate);
  if (merged.problems.length > 0) return { kind: "invalid", problems: merged.problems.map((p) => `${p.path}: ${p.message}`) };

  const previous = lists.get(tenant)?.get(source.name) ?? null;
  const before = new Map((previous ?? []).map((r) => [r.id, r]));
  const after = new Map(next.map((r) => [r.id, r]));
  const removed = [...before.keys()].filter((id) => !after.has(id)).sort();
  const added = [...after.keys()].filter((id) => !before.has(id)).sort();
  const changed = [...after.keys()].filter((id) => before.has(id) && JSON.stringify(before.get(id)) !== JSON.stringify(after.get(id))).sort();

  const devices = tenantDeviceCount(config, lists, tenant);
  const share = devices === 0 ? 0 : removed.length / devices;
  if (removed.length > 0 && share > source.maxRemoval) {
    const digest = removalDigest(tenant, source.name, removed);
    if (input.confirmed !== digest) return { kind: "refuse", removed, share, devices, digest };
  }
  return { kind: "apply", added, removed, changed, lists: candidate, config: merged.config };
}

/** Identifies one refused removal: an admin confirms this, not whatever the source says later. */
export function removalDigest(tenant: string, source: string, removed: readonly string[]): string {
  return createHash("sha256").update(`${tenant}\n${source}\n${[...removed].sort().join("\n")}`).digest("hex").slice(0, 16);
}

/** The tenant's devices now: the config file's and every source's last good list. */
export function tenantDeviceCount(config: Config, lists: InventoryLists, tenant: string): number {
  const t = config.tenants.get(tenant);
  if (!t) return 0;
  let n = t.devices.length;
  for (const s of t.inventory) n += lists.get(tenant)?.get(s.name)?.length ?? 0;
  return n;
}

/** `lists` with one source's list replaced (a new map; the old one is left as it was). */
export function withList(lists: InventoryLists, tenant: string, source: string, records: readonly InventoryRecord[]): InventoryLists {
  const out = new Map(lists);
  const t = new Map(lists.get(tenant) ?? []);
  t.set(source, records);
  out.set(tenant, t);
  return out;
}
