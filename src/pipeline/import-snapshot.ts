import { commitTrailers, rfc3339 } from "../archive/index.js";
import { RosarchiveError } from "../common/index.js";
import type { DeviceConfig } from "../config/index.js";
import type { DeviceState } from "../store/index.js";
import type { PipelineContext } from "./context.js";
import type { SnapshotResult } from "./snapshot-queue.js";

/** The device's newest archived version: its commit and `Collected-At`. */
export interface NewestVersion {
  readonly commit: string;
  readonly collectedAtMs: number;
}

/** The newest commit on `main` touching the device's file, with its `Collected-At` (author time when a commit lacks the trailer). */
export async function newestArchived(ctx: Pick<PipelineContext, "repos">, device: DeviceConfig): Promise<NewestVersion | null> {
  const repo = await ctx.repos.get(device.tenant);
  const last = await repo.lastCommitFor(device.path);
  if (!last) return null;
  const trailers = await commitTrailers(repo, last.commit);
  let at = trailers?.["Collected-At"] ? Date.parse(trailers["Collected-At"]) : Number.NaN;
  if (Number.isNaN(at)) {
    const obj = await repo.readObject(last.commit);
    const m = obj ? /^author .* (\d+) [+-]\d{4}$/m.exec(obj.body.toString("utf8").split("\n\n", 1)[0]!) : null;
    at = m ? Number(m[1]) * 1000 : 0;
  }
  return { commit: last.commit, collectedAtMs: at };
}

/**
 * Pure: the rule every import follows. An export older than the device's
 * newest archived version would become its current file (the newest commit
 * wins) although the router has moved on since: refused unless forced.
 * The same second is not older.
 */
export function checkImportOrder(device: Pick<DeviceConfig, "tenant" | "id">, newest: NewestVersion | null, collectedAtMs: number, force: boolean): void {
  if (force || newest === null || Math.floor(collectedAtMs / 1000) >= Math.floor(newest.collectedAtMs / 1000)) return;
  const at = rfc3339(collectedAtMs);
  const theirs = rfc3339(newest.collectedAtMs);
  throw new RosarchiveError(
    "conflict",
    `the export's time ${at} is older than ${device.tenant}/${device.id}'s newest archived version (collected ${theirs}, commit ${newest.commit.slice(0, 12)}). ` +
      `Archiving it would make this older text the device's current file, and the next backup would then show every change since ${at} again. ` +
      `Check --collected-at; or pass --force to archive it anyway as the newest version (it keeps Collected-At ${at}).`,
    { newest_commit: newest.commit, newest_collected_at: theirs },
  );
}

/** What an import (or a migrated history) brought to one device. */
export interface ImportedFacts {
  /** The newest version imported. */
  readonly collectedAtMs: number;
  readonly commit: string | null;
  readonly version: string;
  /** The newest commit the import made, with its `Collected-At`; null when every version was unchanged. */
  readonly changed: { readonly commit: string; readonly collectedAtMs: number } | null;
}

/**
 * Pure: a device's state after an import. The archive now holds a
 * configuration of the device taken at `collectedAtMs`, so a device that was
 * `never` becomes `ok`, with that time as its last success (never moved
 * back) and the import's commit as its last change. `last_attempt` stays as
 * it was: rosarchive itself has not contacted the device (no host key pinned,
 * credentials untried). `failing` and `blocked` stay: an import says nothing
 * about reaching the router.
 */
export function stateAfterImport(s: DeviceState, imp: ImportedFacts): DeviceState {
  const at = rfc3339(imp.collectedAtMs);
  const newer = s.last_success === null || Date.parse(at) > Date.parse(s.last_success);
  return {
    ...s,
    status: s.status === "never" ? "ok" : s.status,
    last_success: newer ? at : s.last_success,
    ...(imp.changed && { last_change: rfc3339(imp.changed.collectedAtMs), last_change_commit: imp.changed.commit }),
    ...(!s.last_change_commit && !imp.changed && imp.commit && { last_change_commit: imp.commit }),
    ...((newer || s.routeros_version === null) && imp.version !== "unknown" && { routeros_version: imp.version }),
  };
}

/**
 * One export taken elsewhere, under the device's lock: the order rule, then
 * the same normalize → seal → commit path as a backup with `Trigger: import`,
 * then the device's state.
 */
export async function importSnapshot(ctx: PipelineContext, device: DeviceConfig, text: string, collectedAtMs: number, opts: { force?: boolean } = {}): Promise<SnapshotResult & { version: string }> {
  return ctx.locks.runExclusive(device.tenant, device.id, async () => {
    checkImportOrder(device, await newestArchived(ctx, device), collectedAtMs, opts.force ?? false);
    const r = await ctx.archive.submit({ device, text, trigger: "import", collectedAtMs });
    await ctx.states.update(device.tenant, device.id, (s) =>
      stateAfterImport(s, { collectedAtMs, commit: r.commit, version: r.version, changed: r.changed && r.commit ? { commit: r.commit, collectedAtMs } : null }),
    );
    ctx.log.info({ event: "import.done", tenant: device.tenant, device: device.id, result: r.result, commit: r.commit, collected_at: rfc3339(collectedAtMs), forced: opts.force ?? false });
    return r;
  });
}
