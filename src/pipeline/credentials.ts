import { createHmac } from "node:crypto";
import { promises as fs } from "node:fs";
import { RosarchiveError } from "../common/index.js";
import type { DeviceConfig } from "../config/index.js";

export interface ResolvedCredentials {
  readonly username: string;
  readonly password?: string;
  readonly privateKey?: Buffer;
  readonly passphrase?: string;
}

/** Reads a device's secret from env or file at the moment of use; errors name the config key, never the value. */
export async function resolveCredentials(device: Pick<DeviceConfig, "tenant" | "id" | "username" | "credentials">, env: NodeJS.ProcessEnv): Promise<ResolvedCredentials> {
  const c = device.credentials;
  const out: { username: string; password?: string; privateKey?: Buffer; passphrase?: string } = { username: device.username };
  if (c.password !== undefined) out.password = c.password;
  if (c.password_env) {
    const v = env[c.password_env];
    if (v === undefined) throw new RosarchiveError("credentials_missing", `environment variable ${c.password_env} (password_env of ${device.tenant}/${device.id}) is not set in this process: set it where rosarchive runs`);
    out.password = v;
  }
  if (c.password_file) {
    try {
      out.password = (await fs.readFile(c.password_file, "utf8")).replace(/\r?\n$/, "");
    } catch (err) {
      throw new RosarchiveError("credentials_missing", `cannot read password_file ${c.password_file} of ${device.tenant}/${device.id}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (c.private_key_file) {
    try {
      out.privateKey = await fs.readFile(c.private_key_file);
    } catch (err) {
      throw new RosarchiveError("credentials_missing", `cannot read private_key_file ${c.private_key_file} of ${device.tenant}/${device.id}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (c.passphrase_env && env[c.passphrase_env] !== undefined) out.passphrase = env[c.passphrase_env]!;
  if (out.password === undefined && !out.privateKey) {
    throw new RosarchiveError("credentials_missing", `no credentials for ${device.tenant}/${device.id}: set password_env, password_file or private_key_file`);
  }
  return out;
}

/** Keyed fingerprint of the credentials, so "credentials changed" unblocks auth_failed without storing them. */
export function credentialsFingerprint(creds: ResolvedCredentials, key: Buffer): string {
  const h = createHmac("sha256", key);
  h.update(creds.username).update("\0").update(creds.password ?? "").update("\0").update(creds.privateKey ?? Buffer.alloc(0));
  return h.digest("hex").slice(0, 32);
}
