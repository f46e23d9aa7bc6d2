import os from "node:os";
import { RosarchiveError } from "../common/index.js";
import type { Config, DeviceConfig } from "../config/index.js";
import { acceptHostKey, FINGERPRINT, unblockDevice } from "../pipeline/index.js";
import { AuditLog, prepareStateDir, type AuditAction } from "../store/index.js";
import { buildContext } from "./build-context.js";
import { expectPositionals, expectTenantDevice, parse, println, type Command } from "./command.js";
import { findDevice, readConfigWithInventory } from "./load.js";

const HOSTKEY_USAGE = `usage: rosarchive hostkey accept -c FILE TENANT/DEVICE --fingerprint SHA256:...

Clears a host-key block after you compared the key the device now presents
(its presented_host_key in the API and web UI) with the device itself. Exactly
that fingerprint is pinned: if the device presents any other key later, it is
blocked again. Without --fingerprint it prints the presented key and changes
nothing. Audited (actor "cli"). A running serve picks the device up within
seconds.`;

export const hostkeyCommand: Command = {
  name: "hostkey",
  summary: "hostkey accept: pin a checked new host key and clear the block",
  usage: HOSTKEY_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" }, fingerprint: { type: "string" } }, HOSTKEY_USAGE);
    if (positionals[0] !== "accept") throw new RosarchiveError("bad_parameter", `unknown hostkey action ${JSON.stringify(positionals[0] ?? "")}\n\n${HOSTKEY_USAGE}`);
    expectPositionals(positionals, ["accept", "TENANT/DEVICE"], HOSTKEY_USAGE);
    expectTenantDevice(positionals[1], HOSTKEY_USAGE);
    const config = await readConfigWithInventory(values.config);
    const device = findDevice(config, positionals[1]);
    await prepareStateDir(config.stateDir);
    const ctx = buildContext(config, io.env);
    if (!values.fingerprint) {
      const s = await ctx.states.get(device.tenant, device.id);
      const presented = s.presented_host_key ? `it presents ${s.presented_host_key} (pinned: ${s.host_key ?? "none"})` : "no new key is recorded for it";
      throw new RosarchiveError("bad_parameter", `missing --fingerprint: ${device.tenant}/${device.id}: ${presented}; compare it with the device, then run again with --fingerprint <that key>`);
    }
    if (!FINGERPRINT.test(values.fingerprint)) throw new RosarchiveError("bad_parameter", `--fingerprint ${JSON.stringify(values.fingerprint.slice(0, 80))}: must be SHA256: and 43 base64 characters`);
    const { before } = await acceptHostKey(ctx, device, values.fingerprint, "cli");
    await auditCli(config, device, "hostkey.accepted", { previous_fingerprint: before.host_key, accepted_fingerprint: values.fingerprint });
    println(io.stdout, `${device.tenant}/${device.id}: pinned ${values.fingerprint} (was ${before.host_key ?? "none"}); the next backup checks the device presents it`);
    return 0;
  },
};

const UNBLOCK_USAGE = `usage: rosarchive unblock -c FILE TENANT/DEVICE

Clears an auth_failed block without changing the device's credentials (the
password was fixed on the router, or a lockout ended): the next backup tries
the login again, and a failing login blocks it again. Audited (actor "cli").
A running serve retries it at the device's next scheduled slot; the API's
POST .../unblock (or the web UI) retries at once.`;

export const unblockCommand: Command = {
  name: "unblock",
  summary: "clear an auth_failed block",
  usage: UNBLOCK_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" } }, UNBLOCK_USAGE);
    expectPositionals(positionals, ["TENANT/DEVICE"], UNBLOCK_USAGE);
    expectTenantDevice(positionals[0], UNBLOCK_USAGE);
    const config = await readConfigWithInventory(values.config);
    const device = findDevice(config, positionals[0]);
    await prepareStateDir(config.stateDir);
    const ctx = buildContext(config, io.env);
    const { before } = await unblockDevice(ctx, device, "cli");
    await auditCli(config, device, "device.unblocked", { error: before.last_error?.message ?? null });
    println(io.stdout, `${device.tenant}/${device.id}: unblocked; the next backup tries the login again`);
    return 0;
  },
};

/** An admin action from the shell, in the tenant's audit chain (the lock file keeps it in step with a running serve). */
async function auditCli(config: Config, device: DeviceConfig, action: AuditAction, details: Record<string, unknown>): Promise<void> {
  const audit = new AuditLog(config.stateDir, { segmentBytes: config.limits.auditSegmentBytes });
  await audit.append(device.tenant, { actor: "cli", role: "admin", ip: null, action, device: device.id, details: { ...details, user: shellUser() } });
}

function shellUser(): string | null {
  try {
    return os.userInfo().username;
  } catch {
    return null; // no passwd entry (a container with an arbitrary uid)
  }
}
