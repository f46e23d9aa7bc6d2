import type { Request, Response } from "express";
import { asRosarchiveError, RosarchiveError } from "../../common/index.js";
import { requireAccess, requireDevice } from "../access.js";
import type { RateLimiter } from "../rate-limit.js";
import { recordAudit } from "../record-audit.js";
import type { ApiDeps } from "../types.js";

/** Manual backup: 201 changed, 200 unchanged; errors keep their status (409, 502, 504). */
export async function postBackup(deps: ApiDeps, limiter: RateLimiter, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "operator");
  const d = requireDevice(access, req.params.device);
  const wait = limiter.take(`${d.tenant}/${d.id}`, deps.config().limits.manualBackupsPerMinute);
  if (wait > 0) {
    res.set("Retry-After", String(wait));
    throw new RosarchiveError("rate_limited", `at most ${deps.config().limits.manualBackupsPerMinute} manual backups of a device per minute`);
  }
  try {
    const r = await deps.devices.backup(d);
    await recordAudit(deps, access, "backup.manual", d.id, { result: r.result, commit: r.commit });
    res.status(r.changed ? 201 : 200).json({ changed: r.changed, commit: r.commit });
  } catch (raw) {
    const err = asRosarchiveError(raw);
    await recordAudit(deps, access, "backup.manual", d.id, { result: "failed", code: err.code });
    throw err;
  }
}
