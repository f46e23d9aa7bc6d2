import { promises as fs } from "node:fs";
import type { Request, Response } from "express";
import { deviceHistory, latestCommitOf, readDeviceFile, resolveCommit } from "../../archive/index.js";
import { badParameter, RosarchiveError } from "../../common/index.js";
import { extendPlatform, parseIdentityFile, unsealText } from "../../seal/index.js";
import { requireAccess } from "../access.js";
import { requireKnownDevice } from "../known-device.js";
import { parseBoolParam, parseCommitParam } from "../params.js";
import { recordAudit } from "../record-audit.js";
import type { ApiDeps } from "../types.js";

/** `2026-11-22T10:00:00Z` → `20261122T100000Z`. */
export function fileStamp(collectedAt: string | null, commit: string): string {
  const m = collectedAt && /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(collectedAt);
  return m ? `${m[1]}${m[2]}${m[3]}T${m[4]}${m[5]}${m[6]}Z` : commit.slice(0, 12);
}

export async function getConfigFile(deps: ApiDeps, req: Request, res: Response): Promise<void> {
  const access = await requireAccess(deps, req, res, req.params.tenant, "viewer");
  const known = await requireKnownDevice(deps, access, req.params.device);
  const d = known.device;
  const at = parseCommitParam(req.query.at, "at");
  const decrypt = parseBoolParam(req.query.decrypt, "decrypt");
  if (decrypt && access.role !== "admin") throw new RosarchiveError("forbidden", "decrypt=true needs the admin role");
  // A tenant's values open only with its own identity (its encryption block, or the global one when it has none).
  const identityFile = access.tenant.encryption.identityFile;
  if (decrypt && !identityFile) throw new RosarchiveError("no_identity", `no identity_file is configured for tenant ${access.tenant.id}; decrypted reads are off`);
  const repo = await deps.repos.get(access.tenant.id);
  let commit: string | null;
  if (at !== null) {
    commit = await resolveCommit(repo, at);
    if (!commit) throw badParameter("at", "no such commit in this repository");
  } else {
    commit = await latestCommitOf(repo, d.path);
    if (!commit) throw new RosarchiveError("not_found", "no snapshot of this device yet");
    // A retired device's newest commit removed its file: its last snapshot is the commit of the file before that.
    if (known.retired && commit === known.retired.retired_commit) {
      const [, before] = await deviceHistory(repo, d.path, { limit: 2, sectionOf: deps.platform.sectionOf });
      if (!before) throw new RosarchiveError("not_found", "no snapshot of this device");
      commit = before.commit;
    }
  }
  const file = await readDeviceFile(repo, commit, d.path, d.id);
  if (!file) throw new RosarchiveError("not_found", "that commit holds no snapshot of this device");
  let body: Buffer = file.content;
  if (decrypt) {
    let identities: string[];
    try {
      identities = parseIdentityFile(await fs.readFile(identityFile!, "utf8"));
    } catch {
      throw new RosarchiveError("error", "cannot read the configured identity_file");
    }
    // Only positions the sealer seals are opened: an `age:` value a device printed stays as printed.
    const platform = extendPlatform(deps.platform, deps.config().sensitive);
    body = Buffer.from(await unsealText(file.content.toString("utf8"), identities, platform), "utf8");
  }
  await recordAudit(deps, access, decrypt ? "config.read_decrypted" : "config.read", d.id, { commit });
  res.set({
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Disposition": `attachment; filename="${d.id}-${fileStamp(file.collectedAt, commit)}.rsc"`,
    "Cache-Control": "no-store",
    "X-Rosarchive-Commit": commit,
  });
  res.status(200).end(body);
}
