import { parseDuration } from "../common/index.js";
import { credentialLevels, levelProblems, resolveCredentialSource, type DeviceCredentialKeys } from "./credential-precedence.js";
import type { CredentialSet, DeviceConfig, DeviceDefaults } from "./types.js";

/** One device as written in the config or read from an inventory source, before defaults. */
export interface DeviceKeys extends DeviceCredentialKeys {
  readonly id: string;
  readonly host: string;
  readonly port?: number | undefined;
  readonly group?: string | undefined;
  readonly site?: string | undefined;
  readonly intervalMs?: number | undefined;
  readonly enabled?: boolean | undefined;
}

export interface DeviceContext {
  readonly tenant: string;
  /** `config` or the inventory source's name. */
  readonly source: string;
  readonly tenantDefaults: DeviceDefaults;
  readonly globalDefaults: DeviceDefaults;
  readonly sets: ReadonlyMap<string, CredentialSet>;
  readonly defaultIntervalMs: number;
  /** Key path of the device, for messages: `tenants.acme.devices[2]`. */
  readonly where: string;
}

export const DEFAULT_SITE = "default";

/** The path of a device's file in the tenant repository: `<group>/<device>.rsc` or `<device>.rsc`. */
export function devicePath(id: string, group: string | null): string {
  return group ? `${group}/${id}.rsc` : `${id}.rsc`;
}

/**
 * Device keys → DeviceConfig, pure: the device's own keys win over the
 * tenant's defaults, which win over the global ones; credentials follow
 * credential-precedence.ts. Problems name the key path.
 */
export function resolveDevice(d: DeviceKeys, c: DeviceContext): { device: DeviceConfig; problems: Array<{ path: string; message: string }> } {
  const problems: Array<{ path: string; message: string }> = [];
  const pick = <K extends "port" | "group" | "site" | "enabled">(k: K) => d[k] ?? c.tenantDefaults[k] ?? c.globalDefaults[k];
  const interval = d.intervalMs ?? intervalOf(c.tenantDefaults) ?? intervalOf(c.globalDefaults) ?? c.defaultIntervalMs;
  if (typeof d.credentials === "string" && !c.sets.has(d.credentials)) {
    problems.push({ path: `${c.where}.credentials`, message: `no credential set named "${d.credentials}" (define it under the top-level credentials:)` });
  }
  for (const [key, message] of levelProblems(d)) problems.push({ path: `${c.where}.${key}`, message });
  const levels = credentialLevels(d, c.tenantDefaults, c.globalDefaults, c.sets, {
    device: c.where,
    tenantDefaults: `tenants.${c.tenant}.defaults`,
    globalDefaults: "defaults",
  });
  const { username, credentials } = resolveCredentialSource(levels);
  const group = pick("group") ?? null;
  return {
    device: {
      tenant: c.tenant,
      id: d.id,
      source: c.source,
      site: pick("site") ?? DEFAULT_SITE,
      host: d.host,
      port: pick("port") ?? 22,
      username,
      group,
      intervalMs: interval,
      enabled: pick("enabled") ?? true,
      credentials,
      path: devicePath(d.id, group),
    },
    problems,
  };
}

function intervalOf(d: DeviceDefaults): number | undefined {
  return d.interval ? (parseDuration(d.interval) ?? undefined) : undefined;
}
