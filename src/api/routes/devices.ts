import type { Request, Response } from "express";
import { badParameter, isValidId } from "../../common/index.js";
import type { DeviceConfig } from "../../config/index.js";
import type { DirectoryEntry } from "../../inventory/index.js";
import type { DeviceState } from "../../store/index.js";
import { requireAccess } from "../access.js";
import { LIST_STATES, matchesQuery, pageDevices, POLICY_FILTER, type DeviceListQuery, type ListState } from "../device-list.js";
import { parseLimit } from "../params.js";
import { requireKnownDevice, retiredDevice } from "../known-device.js";
import type { Access, ApiDeps } from "../types.js";
import { deviceSummary } from "../../policy/index.js";

/**
 * A device with its state, as the API shows it (no credentials, no internal
 * counters). `planned` is the scheduler's next run, shown while the state has
 * none yet (a device never tried): an enabled device always shows when it runs,
 * unless it waits for an admin (a changed host key).
 */
export function deviceView(d: DeviceConfig, s: DeviceState, retired: DirectoryEntry | null = null, planned: number | null = null) {
  return {
    id: d.id,
    source: d.source,
    site: d.site,
    group: d.group,
    host: d.host,
    port: d.port,
    enabled: d.enabled,
    path: d.path,
    // A retired device keeps its last state (and pin) on file; it shows as retired.
    status: retired ? "retired" : s.status,
    retired_at: retired?.retired_at ?? null,
    retired_commit: retired?.retired_commit ?? null,
    last_attempt: s.last_attempt,
    last_success: s.last_success,
    last_change: s.last_change,
    last_change_commit: s.last_change_commit,
    last_error: s.last_error,
    next_run: retired ? null : (s.next_run ?? (planned !== null ? new Date(planned).toISOString() : null)),
    routeros_version: s.routeros_version,
    warning: s.warning,
  };
}

/** One device adds the pinned host key and, while blocked by a mismatch, the one presented. */
export function deviceDetailView(d: DeviceConfig, s: DeviceState, retired: DirectoryEntry | null = null, planned: number | null = null) {
  return { ...deviceView(d, s, retired, planned), host_key: s.host_key, presented_host_key: s.presented_host_key };
}

/** The most devices one page of the list carries. */
export const DEVICE_PAGE_MAX = 1000;

function parseListQuery(query: Request["query"]): DeviceListQuery & { paged: boolean } {
  const state = query.state ?? "active";
  if (typeof state !== "string" || !(LIST_STATES as readonly string[]).includes(state)) throw badParameter("state", `must be one of ${LIST_STATES.join(", ")}`);
  const site = query.site;
  if (site !== undefined && !isValidId(site)) throw badParameter("site", "must be a site identifier");
  const group = query.group;
  if (group !== undefined && group !== "" && !isValidId(group)) throw badParameter("group", "must be a group identifier, or empty for the devices without one");
  const q = query.q;
  if (q !== undefined && (typeof q !== "string" || q.length > 100 || /[\u0000-\u001f\u007f]/.test(q))) throw badParameter("q", "must be at most 100 printable characters");
  const policy = query.policy;
  if (policy !== undefined && policy !== "" && (typeof policy !== "string" || !POLICY_FILTER.test(policy))) throw badParameter("policy", "must be failing, critical, passing, pending or check:<name>");
  const cursor = query.cursor;
  if (cursor !== undefined && !isValidId(cursor)) throw badParameter("cursor", "must be the `next` of the previous page");
  const paged = query.limit !== undefined || cursor !== undefined;
  return {
    state: state as ListState,
    ...(site !== undefined && { site }),
    ...(group !== undefined && { group: group === "" ? null : group }),
    ...(q && { q: q.trim() }),
    ...(policy && { policy }),
    ...(cursor !== undefined && { cursor }),
    limit: paged ? parseLimit(query.limit, DEVICE_PAGE_MAX, DEVICE_PAGE_MAX) : Infinity,
    paged,
  };
}

/**
 * The tenant's devices. `?state=` filters: absent or `active` (the devices
 * in force), `retired`, `all`, or one state (`ok`, `failing`, `blocked`,
 * `never`); `?site=` keeps one site, `?group=` one group (empty: the
 * devices without one), `?q=` the devices whose id or host contains it,
 * `?policy=` those with that policy result (failing, critical, passing,
 * pending, check:<name>).
 * With `?limit=` (or `?cursor=`) the answer is one page in id order with
 * `next`, `total`, and the tenant's `counts`, `groups` and `sites` (the fleet
 * page at any fleet size); without, every matching device in config order.
 */
export async function listDevices(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const query = parseListQuery(req.query);
  const tenant = access.tenant.id;
  // A page carries the whole tenant's counts: the retired devices are always looked at then.
  const wantRetired = query.paged || query.state === "retired" || query.state === "all";
  const active = query.state === "retired" && !query.paged ? [] : access.tenant.devices;
  const retired = wantRetired ? ((await deps.inventory?.retired(tenant)) ?? []) : [];
  const states = await deps.states.getMany(tenant, [...active.map((d) => d.id), ...retired.map((e) => e.id)]);
  // The policy summaries are looked up for every device only when the list is filtered by them; otherwise for the rows answered.
  const policies = query.policy ? await Promise.all(active.map((d) => policyOf(deps, access.tenant, d))) : null;
  const rows = [
    ...active.map((d, i) => ({ id: d.id, host: d.host, site: d.site, group: d.group, status: states.get(d.id)!.status as string, d, retired: null as DirectoryEntry | null, ...(policies && { policy: policies[i]! }) })),
    ...retired.map((e) => ({ id: e.id, host: e.host, site: e.site, group: e.group, status: "retired", d: retiredDevice(tenant, e), retired: e as DirectoryEntry | null, policy: null })),
  ];
  // A retired device's file left main: no policy result.
  const view = async (r: (typeof rows)[number]) =>
    r.retired
      ? { ...deviceView(r.d, states.get(r.id)!, r.retired), policy: null }
      : { ...deviceView(r.d, states.get(r.id)!, null, plannedRun(deps, r.d)), policy: r.policy !== undefined ? r.policy : await policyOf(deps, access.tenant, r.d) };
  if (!query.paged) {
    res.json({ tenant, devices: await Promise.all(rows.filter((r) => matchesQuery(r, query)).map(view)) });
    return;
  }
  const page = pageDevices(rows, query);
  res.json({ tenant, ...page, devices: await Promise.all(page.devices.map(view)) });
}

export async function getDevice(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const { device: d, retired } = await requireKnownDevice(deps, access, req.params.device);
  res.json({ ...deviceDetailView(d, await deps.states.get(d.tenant, d.id), retired, retired ? null : plannedRun(deps, d)), policy: retired ? null : await policyOf(deps, access.tenant, d) });
}

/** The scheduler's next run of a device, when the service runs one. */
function plannedRun(deps: ApiDeps, d: DeviceConfig): number | null {
  return deps.schedule?.plannedRun(d.tenant, d.id) ?? null;
}

/** The device's policy at a glance; null when no check applies (or the service runs no checks). */
function policyOf(deps: ApiDeps, tenant: Access["tenant"], d: DeviceConfig) {
  return deps.policy ? deviceSummary(deps.policy.store, tenant, d) : Promise.resolve(null);
}
