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
/**
 * A page's entries take at most this many bytes of JSON: a page of large
 * commits stops early, and `next` still names the cursor of the rest.
 * (An entry is at most some 30 KB: 100 sections, names cut at 128 characters.)
 */
export const HISTORY_MAX_BYTES = 1024 * 1024;

async function cursor(repo: TenantRepo, value: unknown): Promise<string | null> {
  const before = parseCommitParam(value, "before");
  if (before === null) return null;
  const id = await resolveCommit(repo, before);
  if (!id) throw badParameter("before", "no such commit in this repository");
  return id;
}

/**
 * `next` is the cursor of the following page (null when this one is the
 * last). A page stops before HISTORY_MAX_BYTES (with at least one entry);
 * then `next` is set although fewer than `limit` entries came.
 */
export function page<T extends { commit: string }>(all: T[], limit: number, maxBytes = HISTORY_MAX_BYTES) {
  let bytes = 0;
  let n = 0;
  for (const e of all) {
    const b = Buffer.byteLength(JSON.stringify(e)) + 1;
    if (n > 0 && bytes + b > maxBytes) break;
    bytes += b;
    n++;
  }
  const entries = all.slice(0, n);
  const more = entries.length === limit || n < all.length;
  return { entries, next: more && n > 0 ? entries[n - 1]!.commit : null };
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
