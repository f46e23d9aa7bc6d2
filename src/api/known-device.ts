import { isValidId, RosarchiveError } from "../common/index.js";
import type { DeviceConfig } from "../config/index.js";
import type { DirectoryEntry } from "../inventory/index.js";
import type { Access, ApiDeps } from "./types.js";

/** A device the API can show: in force now, or retired (its history stays readable). */
export interface KnownDevice {
  readonly device: DeviceConfig;
  /** Set when the device is retired. */
  readonly retired: DirectoryEntry | null;
}

/** A retired device as a DeviceConfig for the read routes (never scheduled: disabled, no credentials). */
export function retiredDevice(tenant: string, e: DirectoryEntry): DeviceConfig {
  return { tenant, id: e.id, source: e.source, site: e.site, host: e.host, port: e.port, username: "", group: e.group, intervalMs: 0, enabled: false, credentials: {}, path: e.path };
}

/**
 * The device named in the URL for reading: an active one, else a retired
 * one of the caller's tenant. Anything else gets the uniform 404.
 */
export async function requireKnownDevice(deps: ApiDeps, access: Access, deviceId: unknown): Promise<KnownDevice> {
  if (typeof deviceId !== "string" || !isValidId(deviceId)) throw new RosarchiveError("not_found", "not found");
  const active = access.tenant.deviceById.get(deviceId);
  if (active) return { device: active, retired: null };
  const entry = (await deps.inventory?.retired(access.tenant.id))?.find((e) => e.id === deviceId);
  if (!entry) throw new RosarchiveError("not_found", "not found");
  return { device: retiredDevice(access.tenant.id, entry), retired: entry };
}
