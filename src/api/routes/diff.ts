import type { Request, Response } from "express";
import { commitTrailers, latestCommitOf, previousVersionOf, resolveCommit, structuredDiff, unifiedDiff, type TenantRepo } from "../../archive/index.js";

/** git's empty tree: what a device's first snapshot is compared with. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
import { badParameter, RosarchiveError } from "../../common/index.js";
import { requireAccess } from "../access.js";
import { requireKnownDevice } from "../known-device.js";
import { parseCommitParam } from "../params.js";
import { recordAudit } from "../record-audit.js";
import type { ApiDeps } from "../types.js";

async function commitParam(repo: TenantRepo, value: unknown, name: string): Promise<string | null> {
  const v = parseCommitParam(value, name);
  if (v === null) return null;
  const id = await resolveCommit(repo, v);
  if (!id) throw badParameter(name, "no such commit in this repository");
  return id;
}

export async function getDiff(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const known = await requireKnownDevice(deps, access, req.params.device);
  const d = known.device;
  const repo = await deps.repos.get(access.tenant.id);
  const fromParam = await commitParam(repo, req.query.from, "from");
  let to = await commitParam(repo, req.query.to, "to");
  if (to === null) {
    to = await latestCommitOf(repo, d.path);
    if (!to) throw new RosarchiveError("not_found", "no snapshot of this device yet");
  } else if ((await commitTrailers(repo, to))?.Device !== d.id) {
    // `to` names a snapshot; another device's commit is not one of this device's.
    throw new RosarchiveError("not_found", "that commit holds no snapshot of this device");
  }
  // The device's previous version (the last commit before `to` that changed its file), as the UI shows it;
  // its first snapshot is diffed against git's empty tree.
  const previous = (await previousVersionOf(repo, d.path, to)) ?? EMPTY_TREE;
  const from = fromParam ?? previous;
  await recordAudit(deps, access, "diff.read", d.id, { from, to });
  if (req.accepts(["text/x-diff", "application/json"]) === "application/json" && /application\/json/.test(req.get("accept") ?? "")) {
    res.json(await structuredDiff(repo, from, to, d.path, deps.platform.sectionOf));
    return;
  }
  res.set({ "Content-Type": "text/x-diff; charset=utf-8", "X-Rosarchive-From": from, "X-Rosarchive-To": to });
  res.status(200).end(await unifiedDiff(repo, from, to, d.path, { fromIsPrevious: from === previous }));
}
