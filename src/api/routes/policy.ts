import type { Request, Response } from "express";
import { RosarchiveError } from "../../common/index.js";
import { tenantPolicy } from "../../policy/index.js";
import { requireAccess } from "../access.js";
import { recordAudit } from "../record-audit.js";
import type { ApiDeps } from "../types.js";

function policyOf(deps: ApiDeps): NonNullable<ApiDeps["policy"]> {
  if (!deps.policy) throw new RosarchiveError("error", "policy checks are not available in this service");
  return deps.policy;
}

/** `GET /api/v1/tenants/{t}/policy`: the checks with their counts, and each device's results. */
export async function getPolicy(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  res.json(await tenantPolicy(policyOf(deps).store, access.tenant));
}

/** `POST /api/v1/tenants/{t}/policy/run` (operator): every device evaluated now; answers when done. */
export async function postPolicyRun(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "operator");
  const summary = await policyOf(deps).runner.run(access.tenant.id);
  await recordAudit(deps, access, "policy.run", null, { ...summary });
  res.json(summary);
}
