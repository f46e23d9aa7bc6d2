import { asRosarchiveError, RosarchiveError } from "../common/index.js";
import type { DeviceConfig } from "../config/index.js";
import { collectExport, type CollectResult, type HandshakeGate, type SshTarget } from "../collect/index.js";
import type { Platform } from "../common/index.js";
import type { DeviceState } from "../store/index.js";
import type { PipelineContext } from "./context.js";
import { credentialsFingerprint, resolveCredentials, type ResolvedCredentials } from "./credentials.js";

/** What one SSH collection needs besides the target: the platform, the limits and the device's pin. */
export interface CollectSettings {
  readonly platform: Platform;
  readonly pinnedFingerprint: string | null;
  readonly knownVersion: string | null;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly maxBytes: number;
  readonly clock: () => number;
  readonly signal?: AbortSignal;
  /** The process's handshake gate (see HandshakeGate). */
  readonly handshakes?: HandshakeGate;
}

/** The SSH target of a device with its resolved credentials (held in memory for one collection). */
export function sshTargetOf(host: string, port: number, creds: ResolvedCredentials): SshTarget {
  return {
    host,
    port,
    username: creds.username,
    ...(creds.password !== undefined && { password: creds.password }),
    ...(creds.privateKey && { privateKey: creds.privateKey }),
    ...(creds.passphrase && { passphrase: creds.passphrase }),
  };
}

/**
 * One export over SSH with the version cache. The cached version only picks
 * the command. After an upgrade that needs another export form (v6 -> v7
 * hides secrets without show-sensitive), run the form the header's version
 * needs. Used by `serve` and by remote collectors alike.
 */
export async function collectWithVersionCheck(target: SshTarget, s: CollectSettings): Promise<CollectResult> {
  const collectOnce = (knownVersion: string | null) =>
    collectExport(target, {
      platform: s.platform,
      pinnedFingerprint: s.pinnedFingerprint,
      knownVersion,
      connectTimeoutMs: s.connectTimeoutMs,
      commandTimeoutMs: s.commandTimeoutMs,
      maxBytes: s.maxBytes,
      clock: s.clock,
      ...(s.signal && { signal: s.signal }),
      ...(s.handshakes && { handshakes: s.handshakes }),
    });
  const got = await collectOnce(s.knownVersion);
  const header = s.platform.versionFromExport(got.text);
  if (header && s.platform.commands.exportFor(header) !== s.platform.commands.exportFor(got.version)) return collectOnce(header);
  return got;
}

export interface Collected extends CollectResult {
  /** Keyed fingerprint of the credentials used (an auth failure blocks until they change). */
  readonly credentialsFingerprint: string;
}

/**
 * The collection half of a backup: credentials, the block check, one SSH
 * session slot (manual triggers first), the export (with the RouterOS
 * command the device's version needs). Touches no state and commits nothing.
 * Throws a RosarchiveError; `data.credentialsFingerprint` is set once known.
 */
export async function collectDevice(ctx: PipelineContext, device: DeviceConfig, before: DeviceState, opts: { manual: boolean; signal?: AbortSignal }): Promise<Collected> {
  const { tenant, id } = device;
  const creds = await resolveCredentials(device, ctx.env).catch((err) => {
    throw asRosarchiveError(err);
  });
  const credFp = credentialsFingerprint(creds, await ctx.secrets.indexKey());
  const withFp = (err: unknown) => {
    const e = asRosarchiveError(err);
    return new RosarchiveError(e.code, e.message, { ...e.data, credentialsFingerprint: credFp });
  };
  if (before.status === "blocked") {
    const code = before.last_error?.code;
    // auth_failed lifts itself when the credentials in the config change; host keys need `hostkey accept`.
    if (code === "host_key_mismatch" || (code === "auth_failed" && before.blocked_credentials === credFp)) {
      const next = code === "host_key_mismatch" ? "run `rosarchive hostkey accept` after checking the new key" : "fix its credentials in the config";
      throw new RosarchiveError(code, `${tenant}/${id} is blocked (${code}): ${next}`, { blocked: true });
    }
  }
  const config = ctx.config();
  const settings: CollectSettings = {
    platform: ctx.platform,
    pinnedFingerprint: before.host_key,
    knownVersion: before.routeros_version,
    connectTimeoutMs: config.schedule.connectTimeoutMs,
    commandTimeoutMs: config.schedule.commandTimeoutMs,
    maxBytes: config.limits.maxExportBytes,
    clock: ctx.clock,
    ...(opts.signal && { signal: opts.signal }),
    handshakes: ctx.sshHandshakes,
  };
  const collect = () => collectWithVersionCheck(sshTargetOf(device.host, device.port, creds), settings);
  try {
    // An operator waiting on a manual trigger goes ahead of scheduled runs waiting for a session.
    const got = await ctx.sshSessions.add(collect, { priority: opts.manual ? 1 : 0, throwOnTimeout: true });
    return { ...got, credentialsFingerprint: credFp };
  } catch (err) {
    throw withFp(err);
  }
}
