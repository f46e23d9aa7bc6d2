import { rfc3339 } from "../archive/index.js";
import { RosarchiveError } from "../common/index.js";
import type { DeviceConfig } from "../config/index.js";
import type { DeviceState } from "../store/index.js";
import type { PipelineContext } from "./context.js";

/** `SHA256:` and the unpadded base64 of 32 bytes, as `ssh-keygen -l` prints it. */
export const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/**
 * An admin accepts the host key a blocked device presented. Exactly
 * `fingerprint` is pinned, the one the admin compared: a device that presents
 * any other key later is blocked again. Refused (409, nothing changed) when
 * the device is not blocked by a host-key change, or when `fingerprint` is
 * neither the key it presented nor the one pinned before. Afterwards the device is `failing` with the reason in
 * its error until the next backup (due now) confirms the key.
 */
export async function acceptHostKey(ctx: PipelineContext, device: DeviceConfig, fingerprint: string, by: string): Promise<{ before: DeviceState; after: DeviceState }> {
  if (!FINGERPRINT.test(fingerprint)) throw new RosarchiveError("bad_parameter", "fingerprint: must be SHA256: and 43 base64 characters, as the device page shows it");
  const where = `${device.tenant}/${device.id}`;
  return ctx.locks.runExclusive(device.tenant, device.id, async () => {
    const before = await ctx.states.get(device.tenant, device.id);
    const code = before.status === "blocked" ? before.last_error?.code : null;
    if (code === "auth_failed") {
      throw new RosarchiveError("conflict", `${where} is blocked because the device refused the login (auth_failed), not by its host key: fix its credentials in the config, or unblock it (POST .../unblock, rosarchive unblock) to retry`);
    }
    if (code !== "host_key_mismatch") throw new RosarchiveError("conflict", `${where} is not blocked by a changed host key: there is no new key to accept`);
    // The key presented, or the one pinned already (the device went back to its old key).
    if (before.presented_host_key && before.presented_host_key !== fingerprint && before.host_key !== fingerprint) {
      throw new RosarchiveError("conflict", `${where} presents ${before.presented_host_key}, not ${fingerprint}: compare the key on the device again before accepting`);
    }
    const now = ctx.clock();
    const after = await ctx.states.update(device.tenant, device.id, (s) => ({
      ...s,
      status: "failing",
      host_key: fingerprint,
      presented_host_key: null,
      failures: 0,
      last_error: { code: "host_key_mismatch", message: `new host key ${fingerprint} accepted by ${by} at ${rfc3339(now)}; the next backup (due now) checks the device presents it` },
      next_run: new Date(now).toISOString(),
    }));
    return { before, after };
  });
}

/**
 * An admin clears an `auth_failed` block without changing the credentials
 * (the password was fixed on the router, a lockout expired). The device is
 * `failing` with the reason in its error until the next backup (due now); if
 * the login fails again it is blocked again. Refused (409) when the device is
 * not blocked by auth_failed.
 */
export async function unblockDevice(ctx: PipelineContext, device: DeviceConfig, by: string): Promise<{ before: DeviceState; after: DeviceState }> {
  const where = `${device.tenant}/${device.id}`;
  return ctx.locks.runExclusive(device.tenant, device.id, async () => {
    const before = await ctx.states.get(device.tenant, device.id);
    const code = before.status === "blocked" ? before.last_error?.code : null;
    if (code === "host_key_mismatch") {
      throw new RosarchiveError("conflict", `${where} is blocked by a changed host key: compare the presented key and accept it (POST .../host-key/accept, rosarchive hostkey accept) instead`);
    }
    if (code !== "auth_failed") throw new RosarchiveError("conflict", `${where} is not blocked by a failed login: there is nothing to unblock`);
    const now = ctx.clock();
    const after = await ctx.states.update(device.tenant, device.id, (s) => ({
      ...s,
      status: "failing",
      blocked_credentials: null,
      failures: 0,
      last_error: { code: "auth_failed", message: `unblocked by ${by} at ${rfc3339(now)} after: ${s.last_error?.message ?? "auth_failed"}; the next backup (due now) tries the login again` },
      next_run: new Date(now).toISOString(),
    }));
    return { before, after };
  });
}
