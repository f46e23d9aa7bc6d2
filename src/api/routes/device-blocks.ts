import type { Request, Response } from "express";
import { badParameter } from "../../common/index.js";
import type { DeviceConfig } from "../../config/index.js";
import { requireAccess, requireDevice } from "../access.js";
import { recordAudit } from "../record-audit.js";
import type { ApiDeps } from "../types.js";
import { deviceDetailView } from "./devices.js";

/**
 * `POST .../host-key/accept` (admin) with `{"fingerprint":"SHA256:..."}` (or
 * `?fingerprint=`): pins exactly the key the admin compared. 409 when the
 * device is not blocked by a host-key change (an auth_failed block says to
 * unblock instead) or presents another key by now.
 */
export async function postHostKeyAccept(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "admin");
  const d = requireDevice(access, req.params.device);
  const fingerprint = fingerprintParam(req);
  const { before, after } = await deps.devices.acceptHostKey(d, fingerprint, access.actor);
  await recordAudit(deps, access, "hostkey.accepted", d.id, { previous_fingerprint: before.host_key, accepted_fingerprint: fingerprint });
  retryNow(deps, d);
  res.json(deviceDetailView(d, after));
}

/** `POST .../unblock` (admin): clears an auth_failed block; the next backup (started now) tries the login again. */
export async function postUnblock(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "admin");
  const d = requireDevice(access, req.params.device);
  const { before, after } = await deps.devices.unblock(d, access.actor);
  await recordAudit(deps, access, "device.unblocked", d.id, { error: before.last_error?.message ?? null });
  retryNow(deps, d);
  res.json(deviceDetailView(d, after));
}

/** The admin acted so the device runs again: start its backup now rather than at the next scheduler look. */
function retryNow(deps: ApiDeps, d: DeviceConfig): void {
  // The backup records, logs and counts its own outcome; busy means one is already running.
  void deps.devices.backup(d).catch(() => undefined);
}

function fingerprintParam(req: Request): string {
  let value: unknown = req.query.fingerprint;
  const body = req.body as unknown;
  if (value === undefined && Buffer.isBuffer(body) && body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw badParameter("body", 'must be JSON like {"fingerprint":"SHA256:..."}');
    }
    value = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>).fingerprint : undefined;
  }
  if (value === undefined) throw badParameter("fingerprint", "required: the presented fingerprint you compared with the device (its presented_host_key)");
  if (typeof value !== "string") throw badParameter("fingerprint", "must be a string like SHA256:...");
  return value;
}
