import type { Request, Response } from "express";
import { badParameter, isValidId } from "../../common/index.js";
import type { DeviceConfig } from "../../config/index.js";
import type { DirectoryEntry } from "../../inventory/index.js";
import type { DeviceState } from "../../store/index.js";
import { requireAccess } from "../access.js";
import { requireKnownDevice, retiredDevice } from "../known-device.js";
import type { Access, ApiDeps } from "../types.js";
import { deviceSummary } from "../../policy/index.js";

/** Device with its state, as the API shows it (no credentials, no internal counters). */
export function deviceView(d: DeviceConfig, s: DeviceState, retired: DirectoryEntry | null = null) {
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
    next_run: retired ? null : s.next_run,
    routeros_version: s.routeros_version,
    warning: s.warning,
  };
}

/** One device adds the pinned host key and, while blocked by a mismatch, the one presented. */
export function deviceDetailView(d: DeviceConfig, s: DeviceState, retired: DirectoryEntry | null = null) {
  return { ...deviceView(d, s, retired), host_key: s.host_key, presented_host_key: s.presented_host_key };
}

const STATES = ["active", "retired", "all", "never", "ok", "failing", "blocked"] as const;

/**
 * The tenant's devices. `?state=` filters: absent or `active` (the devices
 * in force), `retired`, `all`, or one state (`ok`, `failing`, `blocked`,
 * `never`); `?site=` keeps one site.
 */
export async function listDevices(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const state = req.query.state ?? "active";
  if (typeof state !== "string" || !(STATES as readonly string[]).includes(state)) throw badParameter("state", `must be one of ${STATES.join(", ")}`);
  const site = req.query.site;
  if (site !== undefined && !isValidId(site)) throw badParameter("site", "must be a site identifier");
  const bySite = <T extends { site: string }>(d: T) => site === undefined || d.site === site;
  const active = state === "retired" ? [] : access.tenant.devices.filter(bySite);
  const retired = state === "retired" || state === "all" ? ((await deps.inventory?.retired(access.tenant.id)) ?? []).filter(bySite) : [];
  const oneState = (["never", "ok", "failing", "blocked"] as string[]).includes(state);
  const activeViews = await Promise.all(active.map(async (d) => ({ ...deviceView(d, await deps.states.get(d.tenant, d.id)), policy: await policyOf(deps, access.tenant, d) })));
  // A retired device's file left main: no policy result.
  const retiredViews = await Promise.all(retired.map(async (e) => ({ ...deviceView(retiredDevice(access.tenant.id, e), await deps.states.get(access.tenant.id, e.id), e), policy: null })));
  const views = [...activeViews.filter((v) => !oneState || v.status === state), ...retiredViews];
  res.json({ tenant: access.tenant.id, devices: views });
}

export async function getDevice(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const { device: d, retired } = await requireKnownDevice(deps, access, req.params.device);
  res.json({ ...deviceDetailView(d, await deps.states.get(d.tenant, d.id), retired), policy: retired ? null : await policyOf(deps, access.tenant, d) });
}

/** The device's policy at a glance; null when no check applies (or the service runs no checks). */
function policyOf(deps: ApiDeps, tenant: Access["tenant"], d: DeviceConfig) {
  return deps.policy ? deviceSummary(deps.policy.store, tenant, d) : Promise.resolve(null);
}
