import type { Config, ConfigProblem, DeviceConfig, TenantConfig } from "../config/index.js";
import { pathCollisions, type DevicePath } from "../config/path-collisions.js";
import { resolveDevice } from "../config/resolve-device.js";
import type { InventoryRecord } from "./inventory-record.js";

/** Per tenant, per source name: the source's last good list. A source absent here has never been read. */
export type InventoryLists = ReadonlyMap<string, ReadonlyMap<string, readonly InventoryRecord[]>>;

export const EMPTY_LISTS: InventoryLists = new Map();

/** Where a device was declared, for messages that must name both sides of a clash. */
export function originOf(d: Pick<DeviceConfig, "source">): string {
  return d.source === "config" ? "the config file" : `inventory source ${d.source}`;
}

/**
 * The Config the service runs on, pure: each tenant's devices written in
 * the config file, then each inventory source's devices in the order the
 * sources are listed, with the tenant's and the global defaults and the
 * named credential sets applied as for any device. The same id twice (two
 * sources, or a source and the file), two devices on one path, or a row
 * naming an unknown credential set are problems naming both sides; the
 * caller refuses the change that brought them.
 */
export function mergeInventory(config: Config, lists: InventoryLists): { config: Config; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  let touched = false;
  const tenants = new Map<string, TenantConfig>();
  for (const [tenantId, tenant] of config.tenants) {
    const own = lists.get(tenantId);
    const devices: DeviceConfig[] = [...tenant.devices];
    const byId = new Map<string, DeviceConfig>(tenant.deviceById);
    for (const source of tenant.inventory) {
      for (const r of own?.get(source.name) ?? []) {
        const where = `tenants.${tenantId}.inventory.${source.name} device ${r.id}`;
        const { device, problems: p } = resolveDevice(recordKeys(r), {
          tenant: tenantId,
          source: source.name,
          tenantDefaults: tenant.defaults,
          globalDefaults: config.defaults,
          sets: config.credentials,
          defaultIntervalMs: config.schedule.intervalMs,
          where,
        });
        problems.push(...p);
        const first = byId.get(r.id);
        if (first) {
          problems.push({ path: where, message: `device ${r.id} is listed by ${originOf(first)} and by ${originOf(device)}: remove it from one of them` });
          continue;
        }
        devices.push(device);
        byId.set(r.id, device);
        touched = true;
      }
    }
    const claims: DevicePath[] = devices.map((d) => ({ id: d.id, path: d.path, where: originOf(d) }));
    for (const c of pathCollisions(claims)) {
      problems.push({ path: `tenants.${tenantId}`, message: `device ${c.second.id} (${c.second.where}) collides with device ${c.first.id} (${c.first.where}): ${c.why}` });
    }
    tenants.set(tenantId, touched ? { ...tenant, devices, deviceById: byId } : tenant);
  }
  if (!touched) return { config, problems };
  return { config: deepFreeze({ ...config, tenants }), problems };
}

function recordKeys(r: InventoryRecord) {
  return { id: r.id, host: r.host, port: r.port, group: r.group, site: r.site, intervalMs: r.intervalMs, enabled: r.enabled, credentials: r.credentials };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) for (const v of value.values()) deepFreeze(v);
    else for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
