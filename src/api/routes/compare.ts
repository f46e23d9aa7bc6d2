import type { Request, Response } from "express";
import { commitTrailers, compareSections, compareUnified, prepareCompare, readDeviceFile, resolveCommit, type CompareSide, type TenantRepo } from "../../archive/index.js";
import { badParameter, RosarchiveError } from "../../common/index.js";
import { requireAccess, requireDevice } from "../access.js";
import { parseBoolParam } from "../params.js";
import { recordAudit } from "../record-audit.js";
import type { Access, ApiDeps } from "../types.js";

const SIDE = /^([^@]{1,200})(?:@([^@]{0,64}))?$/;

/**
 * `a` or `b`: `<device>` (its newest snapshot) or `<device>@<commit>`. An
 * unknown device gets the same 404 as everywhere; a commit must be one of
 * that device's snapshots (another device's commit is not found, as in the
 * device diff).
 */
async function side(access: Access, repo: TenantRepo, value: unknown, name: "a" | "b"): Promise<CompareSide> {
  if (value === undefined || value === "") throw badParameter(name, "required: <device> or <device>@<commit>");
  const m = typeof value === "string" ? SIDE.exec(value) : null;
  if (!m) throw badParameter(name, "must be <device> or <device>@<commit>");
  const d = requireDevice(access, m[1]);
  let commit: string | null;
  if (m[2] !== undefined) {
    if (!/^[0-9a-f]{7,40}$/.test(m[2])) throw badParameter(name, "the part after @ must be a commit id (40 lowercase hex digits)");
    commit = await resolveCommit(repo, m[2]);
    if (!commit) throw badParameter(name, "no such commit in this repository");
    if ((await commitTrailers(repo, commit))?.Device !== d.id) throw new RosarchiveError("not_found", `that commit holds no snapshot of ${d.id}`);
  } else {
    commit = await repo.paths.latest(d.path);
    if (!commit) throw new RosarchiveError("not_found", `no snapshot of ${d.id} yet`);
  }
  const file = await readDeviceFile(repo, commit, d.path, d.id);
  if (!file) throw new RosarchiveError("not_found", `that commit holds no snapshot of ${d.id}`);
  return { device: d.id, commit, path: d.path, text: file.content.toString("utf8") };
}

/**
 * `GET /api/v1/tenants/{t}/compare?a=&b=`: how device b's file differs from
 * device a's, as a unified diff (`text/x-diff`, as git prints it) or by
 * section (`Accept: application/json`). The tenant's compare ignore rules
 * leave lines out of both sides first and, between two devices, sealed
 * values are masked (`ignore=false`: both files exactly as archived); the
 * answer says how many of each.
 */
export async function getCompare(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const useRules = req.query.ignore === undefined ? true : parseBoolParam(req.query.ignore, "ignore");
  const repo = await deps.repos.get(access.tenant.id);
  const a = await side(access, repo, req.query.a, "a");
  const b = await side(access, repo, req.query.b, "b");
  const rules = useRules ? access.tenant.compareIgnore : [];
  // Two devices' sealed values never match (each is sealed for its device); one device's keep their ciphertext while unchanged.
  const maskSealed = useRules && a.device !== b.device;
  const texts = await prepareCompare(repo, a, b, { rules, maskSealed, sectionOf: deps.platform.sectionOf, timeoutMs: deps.config().limits.searchTimeoutMs });
  await recordAudit(deps, access, "compare.read", a.device, { a: { device: a.device, commit: a.commit }, b: { device: b.device, commit: b.commit }, ignored: texts.ignored, sealed_masked: texts.masked });
  if (req.accepts(["text/x-diff", "application/json"]) === "application/json" && /application\/json/.test(req.get("accept") ?? "")) {
    res.json(await compareSections(repo, a, b, texts, rules.length, deps.platform.sectionOf));
    return;
  }
  res.set({
    "Content-Type": "text/x-diff; charset=utf-8",
    "X-Rosarchive-A": `${a.device}@${a.commit}`,
    "X-Rosarchive-B": `${b.device}@${b.commit}`,
    "X-Rosarchive-Ignored": `a=${texts.ignored.a}, b=${texts.ignored.b}`,
    "X-Rosarchive-Sealed-Masked": `a=${texts.masked.a}, b=${texts.masked.b}`,
  });
  res.status(200).end(await compareUnified(repo, a, b, texts));
}
