import type { Request, Response } from "express";
import { tenantPolicy } from "../../policy/index.js";
import { requireAccess } from "../access.js";
import { sendError } from "../http-error.js";
import { recordAudit } from "../record-audit.js";
import type { ApiDeps } from "../types.js";

/** An app built without policy checks (as the events route without a bus): 501, after the access check. */
const unavailable = (res: Response) => sendError(res, 501, "not_implemented", "policy checks are not available in this build");

/** `GET /api/v1/tenants/{t}/policy`: the checks with their counts, and each device's results. */
export async function getPolicy(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  if (!deps.policy) return unavailable(res);
  res.json(await tenantPolicy(deps.policy.store, access.tenant));
}

/** `POST /api/v1/tenants/{t}/policy/run` (operator): every device evaluated now; answers when done. */
export async function postPolicyRun(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "operator");
  if (!deps.policy) return unavailable(res);
  const summary = await deps.policy.runner.run(access.tenant.id);
  await recordAudit(deps, access, "policy.run", null, { ...summary });
  res.json(summary);
}
