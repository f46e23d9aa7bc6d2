import type { Request, Response } from "express";
import { deviceHistory, resolveCommit, tenantHistory } from "../../archive/index.js";
import { badParameter } from "../../common/index.js";
import { requireAccess } from "../access.js";
import { requireKnownDevice } from "../known-device.js";
import { parseCommitParam, parseLimit } from "../params.js";
import type { ApiDeps } from "../types.js";
import type { TenantRepo } from "../../archive/index.js";

export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 200;

async function cursor(repo: TenantRepo, value: unknown): Promise<string | null> {
  const before = parseCommitParam(value, "before");
  if (before === null) return null;
  const id = await resolveCommit(repo, before);
  if (!id) throw badParameter("before", "no such commit in this repository");
  return id;
}

/** `next` is the cursor of the following page (null when this one is the last). */
function page<T extends { commit: string }>(entries: T[], limit: number) {
  return { entries, next: entries.length === limit ? entries[entries.length - 1]!.commit : null };
}

export async function getDeviceHistory(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const known = await requireKnownDevice(deps, access, req.params.device);
  const d = known.device;
  const limit = parseLimit(req.query.limit, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT);
  const repo = await deps.repos.get(access.tenant.id);
  const before = await cursor(repo, req.query.before);
  const entries = await deviceHistory(repo, d.path, { limit, before, sectionOf: deps.platform.sectionOf });
  res.json({ device: d.id, ...page(entries, limit) });
}

export async function getTenantHistory(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const limit = parseLimit(req.query.limit, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT);
  const repo = await deps.repos.get(access.tenant.id);
  const before = await cursor(repo, req.query.before);
  const entries = await tenantHistory(repo, { limit, before, sectionOf: deps.platform.sectionOf });
  res.json({ tenant: access.tenant.id, ...page(entries, limit) });
}
