import type { Request, Response } from "express";
import { requireAccess } from "../access.js";
import { parseLimit } from "../params.js";
import type { ApiDeps } from "../types.js";

export async function getAudit(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "admin");
  const limit = parseLimit(req.query.limit, 100, 1000);
  res.json({ tenant: access.tenant.id, entries: await deps.audit.list(access.tenant.id, limit) });
}
