import { rfc3339, type Trigger } from "../archive/index.js";
import { printable, type RosarchiveError } from "../common/index.js";
import type { DeviceConfig } from "../config/index.js";
import { deviceEvent } from "../notify/index.js";
import type { DeviceState } from "../store/index.js";
import type { PipelineContext } from "./context.js";
import type { SnapshotResult } from "./snapshot-queue.js";

/** Failures that block a device until an operator acts. */
const BLOCKING = new Set(["auth_failed", "host_key_mismatch"]);

/** The `rosarchive_backups_total{result}` label for an error code. */
export function resultCode(code: string): string {
  return ["auth_failed", "host_key_mismatch", "timeout", "unreachable", "invalid_output", "no_collector"].includes(code) ? code : "error";
}

/** Milliseconds kept: a slot floored to the second would fall due before the slot itself and run again. */
export function preciseTime(ms: number): string {
  return new Date(ms).toISOString();
}

export interface Success {
  readonly device: DeviceConfig;
  readonly before: DeviceState;
  readonly result: SnapshotResult;
  /** The version the export's header names (else the probe's). */
  readonly version: string;
  /** The host key the device presented. */
  readonly fingerprint: string;
  readonly startedMs: number;
  /** Sealed values the device printed before and not this time (a lost permission), 0 when none. */
  readonly secretsMissing?: number;
}

/** Records a successful backup in the device's state and fires `device.recovered` after a failure. */
export async function recordSuccess(ctx: PipelineContext, s: Success): Promise<DeviceState> {
  const { tenant, id } = s.device;
  const now = ctx.clock();
  const after = await ctx.states.update(tenant, id, (st) => ({
    ...st,
    status: "ok",
    last_attempt: rfc3339(s.startedMs),
    last_success: rfc3339(now),
    ...(s.result.changed && { last_change: rfc3339(now), last_change_commit: s.result.commit }),
    ...(!st.last_change_commit && s.result.commit && { last_change_commit: s.result.commit }),
    last_error: null,
    failures: 0,
    routeros_version: s.version,
    host_key: st.host_key ?? s.fingerprint,
    presented_host_key: null,
    blocked_credentials: null,
    warning: s.secretsMissing
      ? {
          code: "secrets_missing",
          message: `the export came back without any secret, where the last one had ${s.secretsMissing}: the backup user has probably lost the permission to see them (RouterOS v7: the sensitive policy of its group)`,
        }
      : null,
    next_run: preciseTime(ctx.timing.afterSuccess(s.device, now)),
  }));
  if (s.before.status === "failing" || s.before.status === "blocked") {
    await ctx.events.emit(deviceEvent({ event: "device.recovered", tenant, device: id, time: rfc3339(now), state: after.status, error: null }, ctx.ids));
  }
  return after;
}

export interface Failure {
  readonly device: DeviceConfig;
  readonly before: DeviceState;
  readonly error: RosarchiveError;
  readonly startedMs: number;
  readonly trigger: Trigger;
}

/**
 * Records a failed backup: `blocked` for auth and host-key failures, else
 * `failing` with a retry time from the backoff steps; one event per change
 * of state or error code, not per retry. Messages are made printable: an SSH
 * error may carry text the device chose.
 */
export async function recordFailure(ctx: PipelineContext, f: Failure): Promise<DeviceState> {
  const { tenant, id } = f.device;
  const code = resultCode(f.error.code);
  const now = ctx.clock();
  const blocking = BLOCKING.has(code);
  const failures = f.before.failures + 1;
  const data = f.error.data;
  const presented = typeof data.presented_fingerprint === "string" ? printable(data.presented_fingerprint) : null;
  const credFp = typeof data.credentialsFingerprint === "string" ? data.credentialsFingerprint : null;
  const message = printable(f.error.message);
  const after = await ctx.states.update(tenant, id, (s) => ({
    ...s,
    status: blocking ? "blocked" : "failing",
    last_attempt: rfc3339(f.startedMs),
    last_error: { code, message },
    failures,
    presented_host_key: code === "host_key_mismatch" ? presented : null,
    blocked_credentials: code === "auth_failed" ? credFp : null,
    next_run: blocking ? null : preciseTime(ctx.timing.afterFailure(f.device, failures, now, ctx.config().schedule.backoffMs)),
  }));
  const changedStatus = f.before.status !== after.status || f.before.last_error?.code !== code;
  if (!changedStatus) return after; // one event per transition, not per retry
  await ctx.events.emit(
    deviceEvent(
      {
        event: blocking ? "device.blocked" : "device.failed",
        tenant,
        device: id,
        time: rfc3339(now),
        state: after.status,
        error: { code, message },
        ...(code === "host_key_mismatch" && {
          expected_fingerprint: printable(String(data.expected_fingerprint ?? f.before.host_key ?? "")),
          presented_fingerprint: presented ?? "",
        }),
      },
      ctx.ids,
    ),
  );
  return after;
}
