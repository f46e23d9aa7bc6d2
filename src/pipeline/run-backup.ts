import { rfc3339, type Trigger } from "../archive/index.js";
import { asRosarchiveError, RosarchiveError } from "../common/index.js";
import type { DeviceConfig } from "../config/index.js";
import { collectExport } from "../collect/index.js";
import { deviceEvent } from "../notify/index.js";
import type { DeviceState } from "../store/index.js";
import type { SnapshotResult } from "./snapshot-queue.js";
import type { PipelineContext } from "./context.js";
import { credentialsFingerprint, resolveCredentials } from "./credentials.js";
import { nextSlot, retryAt } from "./next-run.js";

/** Failures that block a device until an operator acts (SPEC §4). */
const BLOCKING = new Set(["auth_failed", "host_key_mismatch"]);

/**
 * One backup of one device: lock, collect over SSH, archive, record state,
 * emit device events. Never commits anything when collection fails.
 * Throws `busy` when the device is already being backed up.
 */
export function runBackup(ctx: PipelineContext, device: DeviceConfig, trigger: Trigger, signal?: AbortSignal): Promise<SnapshotResult> {
  return ctx.locks.runExclusive(device.tenant, device.id, () => backupLocked(ctx, device, trigger, signal));
}

async function backupLocked(ctx: PipelineContext, device: DeviceConfig, trigger: Trigger, signal?: AbortSignal): Promise<SnapshotResult> {
  const { tenant, id } = device;
  const started = ctx.clock();
  const before = await ctx.states.get(tenant, id);
  ctx.observe?.inFlight?.(1);
  let credFp: string | null = null;
  try {
    const creds = await resolveCredentials(device, ctx.env).catch((err) => {
      throw asRosarchiveError(err);
    });
    credFp = credentialsFingerprint(creds, await ctx.secrets.indexKey());
    if (before.status === "blocked") {
      const code = before.last_error?.code;
      // auth_failed lifts itself when the credentials in the config change; host keys need `hostkey accept`.
      if (code === "host_key_mismatch" || (code === "auth_failed" && before.blocked_credentials === credFp)) {
        throw new RosarchiveError(code, `${tenant}/${id} is blocked (${code}): ${code === "host_key_mismatch" ? "run `rosarchive hostkey accept` after checking the new key" : "fix its credentials in the config"}`, { blocked: true });
      }
    }
    const collectOnce = (knownVersion: string | null) =>
      collectExport(
        { host: device.host, port: device.port, username: creds.username, ...(creds.password !== undefined && { password: creds.password }), ...(creds.privateKey && { privateKey: creds.privateKey }), ...(creds.passphrase && { passphrase: creds.passphrase }) },
        {
          platform: ctx.platform,
          pinnedFingerprint: before.host_key,
          knownVersion,
          connectTimeoutMs: ctx.config.schedule.connectTimeoutMs,
          commandTimeoutMs: ctx.config.schedule.commandTimeoutMs,
          maxBytes: ctx.config.limits.maxExportBytes,
          ...(signal && { signal }),
        },
      );
    const collect = async () => {
      const got = await collectOnce(before.routeros_version);
      // A cached version can be stale after an upgrade (v6 → v7 hides secrets without show-sensitive): re-probe once.
      const headerVersion = ctx.platform.versionFromExport(got.text);
      if (before.routeros_version && headerVersion && major(headerVersion) !== major(before.routeros_version)) return collectOnce(null);
      return got;
    };
    // An operator waiting on a manual trigger goes ahead of scheduled runs waiting for a session.
    const got = await ctx.sshSessions.add(collect, { priority: trigger === "manual" ? 1 : 0, throwOnTimeout: true });
    const result = await ctx.archive.submit({ device, text: got.text, trigger, collectedAtMs: ctx.clock(), version: got.version });
    const now = ctx.clock();
    const after = await ctx.states.update(tenant, id, (s) => ({
      ...s,
      status: "ok",
      last_attempt: rfc3339(started),
      last_success: rfc3339(now),
      ...(result.changed && { last_change: rfc3339(now), last_change_commit: result.commit }),
      ...(!s.last_change_commit && result.commit && { last_change_commit: result.commit }),
      last_error: null,
      failures: 0,
      routeros_version: got.version,
      host_key: s.host_key ?? got.fingerprint,
      presented_host_key: null,
      blocked_credentials: null,
      next_run: preciseTime(nextSlot(tenant, id, device.intervalMs, now)),
    }));
    if (before.status === "failing" || before.status === "blocked") {
      await ctx.events.emit(deviceEvent({ event: "device.recovered", tenant, device: id, time: rfc3339(now), state: after.status, error: null }));
    }
    ctx.observe?.backup?.(tenant, result.result, (ctx.clock() - started) / 1000);
    ctx.log.info({ event: "backup.done", tenant, device: id, result: result.result, commit: result.commit, ms: ctx.clock() - started, trigger });
    return result;
  } catch (raw) {
    const err = asRosarchiveError(raw);
    const code = resultCode(err.code);
    const now = ctx.clock();
    if (!err.data.blocked) await recordFailure(ctx, device, before, err, code, started, now, credFp);
    ctx.observe?.backup?.(tenant, code, (now - started) / 1000);
    ctx.log.warn({ event: "backup.failed", tenant, device: id, code, msg: err.message, ms: now - started, trigger });
    throw err;
  } finally {
    ctx.observe?.inFlight?.(-1);
  }
}

async function recordFailure(
  ctx: PipelineContext,
  device: DeviceConfig,
  before: DeviceState,
  err: RosarchiveError,
  code: string,
  started: number,
  now: number,
  credFp: string | null,
): Promise<void> {
  const { tenant, id } = device;
  const blocking = BLOCKING.has(code);
  const failures = before.failures + 1;
  const slot = nextSlot(tenant, id, device.intervalMs, now);
  const presented = typeof err.data.presented_fingerprint === "string" ? err.data.presented_fingerprint : null;
  const fp = blocking && code === "auth_failed" ? credFp : null;
  const after = await ctx.states.update(tenant, id, (s) => ({
    ...s,
    status: blocking ? "blocked" : "failing",
    last_attempt: rfc3339(started),
    last_error: { code, message: err.message },
    failures,
    presented_host_key: code === "host_key_mismatch" ? presented : null,
    blocked_credentials: fp,
    next_run: blocking ? null : preciseTime(retryAt(failures, ctx.config.schedule.backoffMs, now, slot)),
  }));
  const changedStatus = before.status !== after.status || before.last_error?.code !== code;
  if (!changedStatus) return; // one event per transition, not per retry
  await ctx.events.emit(
    deviceEvent({
      event: blocking ? "device.blocked" : "device.failed",
      tenant,
      device: id,
      time: rfc3339(now),
      state: after.status,
      error: { code, message: err.message },
      ...(code === "host_key_mismatch" && {
        expected_fingerprint: String(err.data.expected_fingerprint ?? before.host_key ?? ""),
        presented_fingerprint: String(presented ?? ""),
      }),
    }),
  );
}

/** The `rosarchive_backups_total{result}` label for an error code. */
export function resultCode(code: string): string {
  return ["auth_failed", "host_key_mismatch", "timeout", "unreachable", "invalid_output"].includes(code) ? code : "error";
}

/** Milliseconds kept: a slot floored to the second would fall due before the slot itself and run again. */
function preciseTime(ms: number): string {
  return new Date(ms).toISOString();
}

function major(v: string): number {
  return Number.parseInt(v, 10);
}

/** SPEC §2 `hostkey accept`: clear the block; the next contact pins the presented key. */
export async function acceptHostKey(ctx: PipelineContext, device: DeviceConfig): Promise<DeviceState> {
  return ctx.states.update(device.tenant, device.id, (s) => ({
    ...s,
    status: s.status === "blocked" && s.last_error?.code === "host_key_mismatch" ? "failing" : s.status,
    host_key: null,
    presented_host_key: null,
    last_error: s.last_error?.code === "host_key_mismatch" ? null : s.last_error,
    next_run: preciseTime(ctx.clock()),
  }));
}
