import type { Request, Response } from "express";
import type { DeviceConfig } from "../../config/index.js";
import type { DeviceState } from "../../store/index.js";
import { requireAccess, requireDevice } from "../access.js";
import type { ApiDeps } from "../types.js";

/** SPEC §4 device with its state, as the API shows it (no credentials, no internal counters). */
export function deviceView(d: DeviceConfig, s: DeviceState) {
  return {
    id: d.id,
    group: d.group,
    host: d.host,
    port: d.port,
    enabled: d.enabled,
    path: d.path,
    status: s.status,
    last_attempt: s.last_attempt,
    last_success: s.last_success,
    last_change: s.last_change,
    last_change_commit: s.last_change_commit,
    last_error: s.last_error,
    next_run: s.next_run,
    routeros_version: s.routeros_version,
    warning: s.warning,
  };
}

/** One device adds the pinned host key and, while blocked by a mismatch, the one presented. */
export function deviceDetailView(d: DeviceConfig, s: DeviceState) {
  return { ...deviceView(d, s), host_key: s.host_key, presented_host_key: s.presented_host_key };
}

export async function listDevices(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const devices = await Promise.all(access.tenant.devices.map(async (d) => deviceView(d, await deps.states.get(d.tenant, d.id))));
  res.json({ tenant: access.tenant.id, devices });
}

export async function getDevice(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const d = requireDevice(access, req.params.device);
  res.json(deviceDetailView(d, await deps.states.get(d.tenant, d.id)));
}
