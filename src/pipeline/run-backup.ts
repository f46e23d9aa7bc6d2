import type { Trigger } from "../archive/index.js";
import { asRosarchiveError } from "../common/index.js";
import type { DeviceConfig } from "../config/index.js";
import { collectDevice } from "./collect-device.js";
import type { PipelineContext } from "./context.js";
import { recordFailure, recordSuccess, resultCode } from "./device-outcome.js";
import type { SnapshotResult } from "./snapshot-queue.js";

export interface BackupOptions {
  readonly signal?: AbortSignal;
  /**
   * Record the outcome in the device's state and fire device events (the
   * service). A one-off `rosarchive backup` from a shell leaves both alone:
   * it must never block, fail or recover a device a running service manages.
   */
  readonly recordState?: boolean;
}

/**
 * One backup of one device: lock, collect over SSH, archive, record state,
 * emit device events. Never commits anything when collection fails.
 * Throws `busy` when the device is already being backed up.
 */
export function runBackup(ctx: PipelineContext, device: DeviceConfig, trigger: Trigger, opts: BackupOptions = {}): Promise<SnapshotResult> {
  // With remote collectors the job goes to the device's site and this waits for its snapshot, under the same lock.
  return ctx.locks.runExclusive(device.tenant, device.id, () => (ctx.remote && (opts.recordState ?? true) ? ctx.remote.backup(device, trigger, opts.signal) : backupLocked(ctx, device, trigger, opts)));
}

async function backupLocked(ctx: PipelineContext, device: DeviceConfig, trigger: Trigger, opts: BackupOptions): Promise<SnapshotResult> {
  const { signal } = opts;
  const record = opts.recordState ?? true;
  const { tenant, id } = device;
  const startedMs = ctx.clock();
  const before = await ctx.states.get(tenant, id);
  ctx.observe?.inFlight?.(1);
  try {
    const got = await collectDevice(ctx, device, before, { manual: trigger === "manual", ...(signal && { signal }) });
    // The version recorded is the export header's, on every backup; the probe's only when there is no header.
    const version = ctx.platform.versionFromExport(got.text) ?? got.version;
    const result = await ctx.archive.submit({ device, text: got.text, trigger, collectedAtMs: ctx.clock(), version });
    if (record) await recordSuccess(ctx, { device, before, result, version, fingerprint: got.fingerprint, startedMs, secretsMissing: result.secretsMissing ?? 0 });
    if (result.secretsMissing) ctx.observe?.secretsMissing?.(tenant);
    ctx.observe?.backup?.(tenant, result.result, (ctx.clock() - startedMs) / 1000);
    ctx.log.info({ event: "backup.done", tenant, device: id, result: result.result, commit: result.commit, ms: ctx.clock() - startedMs, trigger });
    return result;
  } catch (raw) {
    const err = asRosarchiveError(raw);
    const code = resultCode(err.code);
    if (record && !err.data.blocked) await recordFailure(ctx, { device, before, error: err, startedMs, trigger });
    ctx.observe?.backup?.(tenant, code, (ctx.clock() - startedMs) / 1000);
    ctx.log.warn({ event: "backup.failed", tenant, device: id, code, msg: err.message, ms: ctx.clock() - startedMs, trigger });
    throw err;
  } finally {
    ctx.observe?.inFlight?.(-1);
  }
}
