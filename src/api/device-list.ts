import type { PolicySummary } from "../policy/index.js";

/** What the list needs of one device view. */
export interface ListedDevice {
  readonly id: string;
  readonly host: string;
  readonly site: string;
  readonly group: string | null;
  readonly status: string;
  /** The device's policy at a glance (looked up only when the query filters by it). */
  readonly policy?: PolicySummary | null;
}

export const LIST_STATES = ["active", "retired", "all", "never", "ok", "failing", "blocked"] as const;
export type ListState = (typeof LIST_STATES)[number];
const ONE_STATE = new Set(["never", "ok", "failing", "blocked"]);

export interface DeviceListQuery {
  readonly state: ListState;
  readonly site?: string;
  /** A group; null: the devices without one; absent: every group. */
  readonly group?: string | null;
  /** Part of the id or host, any case. */
  readonly q?: string;
  /** A policy filter: failing, critical, passing, pending, or check:<name> (failing that check). */
  readonly policy?: string;
  /** The id the previous page ended with: this page starts after it. */
  readonly cursor?: string;
  readonly limit: number;
}

export interface DeviceListPage<T> {
  readonly devices: T[];
  /** Pass as `cursor` for the next page; null on the last one. */
  readonly next: string | null;
  /** Devices matching the filters, on every page. */
  readonly total: number;
  /** The whole tenant, whatever the filters: active devices, each state, retired. */
  readonly counts: Record<"active" | "never" | "ok" | "failing" | "blocked" | "retired", number>;
  /** Every group and site the tenant's devices use (the filter menus). */
  readonly groups: string[];
  readonly sites: string[];
}

/** Whether `d` passes the query's filters (the cursor aside). */
export function matchesQuery(d: ListedDevice, q: Omit<DeviceListQuery, "cursor" | "limit">): boolean {
  const retired = d.status === "retired";
  if (q.state === "retired" ? !retired : q.state === "all" ? false : retired) return false;
  if (ONE_STATE.has(q.state) && d.status !== q.state) return false;
  if (q.site !== undefined && d.site !== q.site) return false;
  if (q.group !== undefined && d.group !== q.group) return false;
  if (q.policy && !policyMatches(d.policy ?? null, q.policy)) return false;
  if (q.q) {
    const needle = q.q.toLowerCase();
    if (!d.id.includes(needle) && !d.host.toLowerCase().includes(needle)) return false;
  }
  return true;
}

/** The policy filter values (the fleet page's menu). */
export const POLICY_FILTER = /^(failing|critical|passing|pending|check:[a-z0-9][a-z0-9._-]{0,62})$/;

/** Whether a device's policy summary passes a policy filter value. */
export function policyMatches(p: PolicySummary | null, value: string): boolean {
  if (value === "failing") return !!p && p.failing > 0;
  if (value === "critical") return !!p && p.worst === "critical";
  if (value === "passing") return !!p && p.failing === 0 && p.errors === 0 && p.pending === 0;
  if (value === "pending") return !!p && p.pending > 0;
  if (value.startsWith("check:")) return !!p && p.failed.some((f) => f.name === value.slice(6));
  return true;
}

/**
 * One page of the tenant's devices in id order, filtered, with the counts
 * the fleet page shows above it. Pure: the route gives every device's view.
 * Keyset paging (after the last id) keeps pages exact while devices come and go.
 */
export function pageDevices<T extends ListedDevice>(all: readonly T[], q: DeviceListQuery): DeviceListPage<T> {
  const counts = { active: 0, never: 0, ok: 0, failing: 0, blocked: 0, retired: 0 };
  const groups = new Set<string>();
  const sites = new Set<string>();
  const matching: T[] = [];
  for (const d of all) {
    if (d.status === "retired") counts.retired++;
    else {
      counts.active++;
      if (d.status in counts) counts[d.status as keyof typeof counts]++;
    }
    if (d.group !== null) groups.add(d.group);
    sites.add(d.site);
    if (matchesQuery(d, q)) matching.push(d);
  }
  matching.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  let start = 0;
  if (q.cursor !== undefined) {
    // First id after the cursor (binary search: the cursor need not be listed any more).
    let lo = 0;
    let hi = matching.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (matching[mid]!.id <= q.cursor) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const devices = matching.slice(start, start + q.limit);
  const next = start + q.limit < matching.length ? devices[devices.length - 1]!.id : null;
  return { devices, next, total: matching.length, counts, groups: [...groups].sort(), sites: [...sites].sort() };
}
