import type { Request, Response } from "express";
import { requireAccess } from "../access.js";
import type { ApiDeps } from "../types.js";

/**
 * Remote collectors serving the tenant's sites: each site of its devices with
 * how many devices sit there and how many collectors are live, and each
 * collector heard from for those sites (site, last seen, jobs in flight,
 * version). Without a `nats:` block collection runs in the core: `remote`
 * is false and both lists are empty. Collectors of other sites stay hidden.
 */
export async function listCollectors(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const remote = deps.collectors !== undefined && deps.config().nats !== null;
  const devicesPerSite = new Map<string, number>();
  for (const d of access.tenant.devices) devicesPerSite.set(d.site, (devicesPerSite.get(d.site) ?? 0) + 1);
  const collectors = remote ? deps.collectors!.list().filter((c) => devicesPerSite.has(c.site)) : [];
  const sites = remote
    ? [...devicesPerSite.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([site, devices]) => ({ site, devices, live_collectors: collectors.filter((c) => c.site === site && c.live).length }))
    : [];
  res.json({ tenant: access.tenant.id, remote, sites, collectors });
}
