import type { Request, Response } from "express";
import { badParameter, checkLinePattern, isValidId } from "../../common/index.js";
import { parseAt, runSearch, type SearchSlots } from "../../search/index.js";
import { requireAccess } from "../access.js";
import { parseBoolParam, parseLimit } from "../params.js";
import { recordAudit } from "../record-audit.js";
import type { ApiDeps } from "../types.js";

export const SEARCH_DEFAULT_LIMIT = 50;
export const SEARCH_MAX_LIMIT = 200;

/**
 * `GET /api/v1/tenants/{t}/search`: the archived (sealed) text of the
 * tenant's devices, at latest, at a date, or through history. The query is
 * never logged and the audit line does not hold it (an operator may be
 * looking for a leaked secret); it holds its length and the options.
 */
export async function getSearch(deps: ApiDeps, slots: SearchSlots, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const q = req.query.q;
  if (q === undefined || q === "") throw badParameter("q", "required: the text to find (with regex=true, an extended regular expression)");
  if (typeof q !== "string") throw badParameter("q", "give it once");
  const regex = parseBoolParam(req.query.regex, "regex");
  checkLinePattern("q", q, regex ? "regex" : "fixed");
  const history = parseBoolParam(req.query.history, "history");
  const at = parseAt(req.query.at);
  const groupParam = req.query.group;
  if (groupParam !== undefined && groupParam !== "" && !isValidId(groupParam)) throw badParameter("group", "must be a group id");
  const group = groupParam === undefined || groupParam === "" ? null : (groupParam as string);
  const limit = parseLimit(req.query.limit, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT);
  const repo = await deps.repos.get(access.tenant.id);
  const devices = access.tenant.devices.map((d) => ({ id: d.id, group: d.group, path: d.path }));
  // Retired devices too: their files are gone from main, but a date or history search reads them where they stood.
  for (const e of (await deps.inventory?.retired(access.tenant.id)) ?? []) {
    if (!access.tenant.deviceById.has(e.id)) devices.push({ id: e.id, group: e.group, path: e.path });
  }
  const answer = await slots.run(() =>
    runSearch(repo, devices, { q, regex, at, group, history, limit, cursor: req.query.cursor }, { sectionOf: deps.platform.sectionOf, timeoutMs: deps.config().limits.searchTimeoutMs }),
  );
  await recordAudit(deps, access, "search.read", null, {
    q_length: q.length,
    regex,
    history,
    at: at.kind === "latest" ? "latest" : at.text,
    group,
    results: answer.history ? answer.devices.length : answer.hits.length,
  });
  res.json({ tenant: access.tenant.id, ...answer });
}
