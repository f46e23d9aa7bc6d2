import type { Config } from "../config/index.js";

/**
 * The age recipients a tenant's values are sealed to. One function, used by
 * the core's sealing and by remote collectors, so a per-tenant override plugs
 * in here.
 */
export function recipientsOf(config: Config, tenant: string): string[] {
  return [...(config.tenants.get(tenant)?.encryption ?? config.encryption).recipients];
}
