import type { Request, Response } from "express";
import { asRosarchiveError, badParameter, isValidId, RosarchiveError } from "../../common/index.js";
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

/**
 * "Back up all now" for a tenant, or one `?group=` of it (operator): every
 * device that may run falls due at once in the scheduler, which still bounds
 * how many run together. 202 with the count; once a minute per tenant and
 * group (429 with Retry-After beyond); audited.
 */
export async function postBackupAll(deps: ApiDeps, limiter: RateLimiter, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "operator");
  const group = req.query.group;
  if (group !== undefined && !isValidId(group)) throw badParameter("group", "must be a group identifier");
  if (!deps.schedule) throw new RosarchiveError("unavailable", "this service runs no scheduler");
  const wait = limiter.take(`all:${access.tenant.id}/${group ?? ""}`, 1);
  if (wait > 0) {
    res.set("Retry-After", String(wait));
    throw new RosarchiveError("rate_limited", `"back up all" runs at most once a minute per tenant and group; try again in ${wait} s`);
  }
  const scheduled = deps.schedule.runNow(access.tenant.id, typeof group === "string" ? group : null);
  await recordAudit(deps, access, "backup.all", null, { group: group ?? null, scheduled });
  res.status(202).json({ scheduled, group: group ?? null });
}
