import type { Request, Response } from "express";
import { badParameter, isValidId, RosarchiveError } from "../../common/index.js";
import { requireAccess } from "../access.js";
import type { ApiDeps } from "../types.js";

/** Admin: each inventory source of the tenant with its last sync, result, counts and any refused removal. */
export async function getInventory(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "admin");
  res.json({ tenant: access.tenant.id, sources: deps.inventory?.status(access.tenant.id) ?? [] });
}

/**
 * Admin: confirm a source's refused removal, so its list is applied and the
 * devices it drops are retired. `?digest=` (as the status shows it) makes
 * sure the removal confirmed is the one that was looked at: 409 when it has
 * changed since. The service audits it (`inventory.confirmed`).
 */
export async function postInventoryConfirm(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "admin");
  const source = req.params.source;
  if (!isValidId(source) || !access.tenant.inventory.some((s) => s.name === source)) throw new RosarchiveError("not_found", "not found");
  const digest = req.query.digest;
  if (digest !== undefined && (typeof digest !== "string" || !/^[0-9a-f]{16}$/.test(digest))) throw badParameter("digest", "must be the 16 hex digits of the refused removal's digest");
  if (!deps.inventory) throw new RosarchiveError("conflict", `inventory source ${source} has no refused removal to confirm`);
  const r = await deps.inventory.confirm(access.tenant.id, source, { actor: access.actor, role: access.role, ip: access.ip, digest: digest ?? null });
  res.json({ source, removed: r.removed, count: r.removed.length });
}
