import { asRosarchiveError, RosarchiveError } from "../common/index.js";
import type { DeviceConfig } from "../config/index.js";
import { collectExport, type CollectResult } from "../collect/index.js";
import type { DeviceState } from "../store/index.js";
import type { PipelineContext } from "./context.js";
import { credentialsFingerprint, resolveCredentials } from "./credentials.js";

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
  const target = {
    host: device.host,
    port: device.port,
    username: creds.username,
    ...(creds.password !== undefined && { password: creds.password }),
    ...(creds.privateKey && { privateKey: creds.privateKey }),
    ...(creds.passphrase && { passphrase: creds.passphrase }),
  };
  const collectOnce = (knownVersion: string | null) =>
    collectExport(target, {
      platform: ctx.platform,
      pinnedFingerprint: before.host_key,
      knownVersion,
      connectTimeoutMs: config.schedule.connectTimeoutMs,
      commandTimeoutMs: config.schedule.commandTimeoutMs,
      maxBytes: config.limits.maxExportBytes,
      clock: ctx.clock,
      ...(opts.signal && { signal: opts.signal }),
    });
  const collect = async () => {
    const got = await collectOnce(before.routeros_version);
    // The cached version only picks the command. After an upgrade that needs
    // another export form (v6 -> v7 hides secrets without show-sensitive), run
    // the form the header's version needs.
    const header = ctx.platform.versionFromExport(got.text);
    if (header && ctx.platform.commands.exportFor(header) !== ctx.platform.commands.exportFor(got.version)) return collectOnce(header);
    return got;
  };
  try {
    // An operator waiting on a manual trigger goes ahead of scheduled runs waiting for a session.
    const got = await ctx.sshSessions.add(collect, { priority: opts.manual ? 1 : 0, throwOnTimeout: true });
    return { ...got, credentialsFingerprint: credFp };
  } catch (err) {
    throw withFp(err);
  }
}
