import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { RosarchiveError, assertId } from "../common/index.js";
import { ConfigError, loadConfig, type Config, type DeviceConfig } from "../config/index.js";
import { mergeInventory, SourceStateStore, type InventoryRecord } from "../inventory/index.js";

/** Reads and validates the config file named by `-c`. */
export function readConfigFile(file: string | undefined): Config {
  if (!file) throw new RosarchiveError("bad_parameter", "missing -c FILE: the path of the YAML config (see config.example.yaml)");
  const abs = path.resolve(file);
  if (!existsSync(abs)) throw new RosarchiveError("bad_parameter", `config file ${abs} does not exist`);
  return loadConfig(readFileSync(abs, "utf8"), { baseDir: path.dirname(abs), sourcePath: abs });
}

/**
 * The config file plus the devices its inventory sources listed at their
 * last good sync (as kept under state_dir by the running service), so that
 * commands run by hand see the same fleet as `serve`: devices from NetBox or
 * a CSV too. A source never synced adds nothing.
 */
export async function readConfigWithInventory(file: string | undefined): Promise<Config> {
  const config = readConfigFile(file);
  const store = new SourceStateStore(config.stateDir);
  const lists = new Map<string, Map<string, readonly InventoryRecord[]>>();
  for (const tenant of config.tenants.values()) {
    for (const source of tenant.inventory) {
      const records = (await store.get(tenant.id, source.name)).records;
      if (records === null) continue;
      let own = lists.get(tenant.id);
      if (!own) lists.set(tenant.id, (own = new Map()));
      own.set(source.name, records);
    }
  }
  if (lists.size === 0) return config;
  const merged = mergeInventory(config, lists);
  if (merged.problems.length > 0) throw new ConfigError(merged.problems);
  return merged.config;
}

/** `TENANT/DEVICE` → the configured device, or a clear error. */
export function findDevice(config: Config, spec: string | undefined): DeviceConfig {
  if (!spec) throw new RosarchiveError("bad_parameter", "missing TENANT/DEVICE argument");
  const parts = spec.split("/");
  if (parts.length !== 2) throw new RosarchiveError("bad_parameter", `${JSON.stringify(spec.slice(0, 80))}: expected TENANT/DEVICE`);
  const tenantId = assertId("tenant", parts[0]);
  const deviceId = assertId("device", parts[1]);
  const tenant = config.tenants.get(tenantId);
  if (!tenant) throw new RosarchiveError("not_found", `tenant ${tenantId} is not in the config`);
  const device = tenant.deviceById.get(deviceId);
  if (!device) throw new RosarchiveError("not_found", `device ${deviceId} is not in tenant ${tenantId} of the config${tenant.inventory.length > 0 ? " or its inventory sources' last sync" : ""}`);
  return device;
}

export function findTenant(config: Config, id: string | undefined): string {
  const tenantId = assertId("tenant", id);
  if (!config.tenants.has(tenantId)) throw new RosarchiveError("not_found", `tenant ${tenantId} is not in the config`);
  return tenantId;
}
