import type { Credentials, CredentialSet, DeviceDefaults } from "./types.js";

/**
 * Which credentials a device logs in with, pure.
 *
 * Levels, nearest first:
 *   1. the device's own keys (inline)
 *   2. the credential set the device names (`credentials: <name>`)
 *   3. the tenant's `defaults`, then the set they name
 *   4. the global `defaults`, then the set they name
 *
 * Rules:
 * - A secret source is one of `password`, `password_env`, `password_file`,
 *   `private_key_file` (with its `passphrase_env`). The nearest level that
 *   sets any source supplies the whole source: nothing of another level is
 *   mixed in. So a device's own `password:` is never overridden or joined by
 *   an inherited `password_env`, whatever the kinds.
 * - `key: null` means "none from here": that key is not taken from any
 *   farther level. `credentials: null` stops the sets named by farther levels.
 * - `username` is taken from the nearest level that sets it (default `backup`),
 *   independently of the secret.
 */
export const SOURCE_KEYS = ["password", "password_env", "password_file", "private_key_file"] as const;
export const SECRET_KEYS = [...SOURCE_KEYS, "passphrase_env"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export interface CredentialLevel {
  /** Where it is written, for messages: `device`, `credentials.core`, `tenants.acme.defaults`, `defaults`. */
  readonly name: string;
  readonly username?: string | undefined;
  readonly secrets: Readonly<Partial<Record<SecretKey, string | null>>>;
}

export interface ResolvedSource {
  readonly username: string;
  readonly credentials: Credentials;
  /** The level that supplied the secret source, or null when none did. */
  readonly from: string | null;
}

export const DEFAULT_USERNAME = "backup";

export function resolveCredentialSource(levels: readonly CredentialLevel[]): ResolvedSource {
  const username = levels.find((l) => l.username !== undefined)?.username ?? DEFAULT_USERNAME;
  const cancelled = new Set<SecretKey>();
  for (const level of levels) {
    const present = SECRET_KEYS.filter((k) => typeof level.secrets[k] === "string" && !cancelled.has(k));
    if (present.some((k) => (SOURCE_KEYS as readonly string[]).includes(k))) {
      const credentials: Record<string, string> = {};
      for (const k of present) credentials[k] = level.secrets[k] as string;
      return { username, credentials, from: level.name };
    }
    for (const k of SECRET_KEYS) if (level.secrets[k] === null) cancelled.add(k);
  }
  return { username, credentials: {}, from: null };
}

/** What one device-like block (a device, an inventory row) says about credentials. */
export interface DeviceCredentialKeys extends Partial<Record<SecretKey, string | null>> {
  readonly username?: string | undefined;
  readonly credentials?: string | null | undefined;
}

/**
 * The levels of one device, nearest first, from its own keys, the tenant's
 * and the global defaults, and the named sets. An unknown set name is the
 * caller's error to report (`unknownSet`); it contributes nothing here.
 */
export function credentialLevels(
  device: DeviceCredentialKeys,
  tenantDefaults: DeviceDefaults,
  globalDefaults: DeviceDefaults,
  sets: ReadonlyMap<string, CredentialSet>,
  names: { readonly device: string; readonly tenantDefaults: string; readonly globalDefaults: string },
): CredentialLevel[] {
  const levels: CredentialLevel[] = [];
  let setsStopped = false;
  const add = (name: string, block: DeviceCredentialKeys) => {
    levels.push({ name, username: block.username, secrets: pickSecrets(block) });
    if (block.credentials === null) setsStopped = true;
    else if (typeof block.credentials === "string" && !setsStopped) {
      const set = sets.get(block.credentials);
      if (set) levels.push({ name: `credentials.${block.credentials}`, username: set.username, secrets: pickSecrets(set) });
    }
  };
  add(names.device, device);
  add(names.tenantDefaults, tenantDefaults);
  add(names.globalDefaults, globalDefaults);
  return levels;
}

function pickSecrets(block: Partial<Record<SecretKey, string | null | undefined>>): Partial<Record<SecretKey, string | null>> {
  const out: Partial<Record<SecretKey, string | null>> = {};
  for (const k of SECRET_KEYS) {
    const v = block[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * Problems of one level on its own: two password kinds at once, or a
 * passphrase without a key beside it. Returned as [key, message].
 */
export function levelProblems(block: Partial<Record<SecretKey, string | null | undefined>>): Array<[SecretKey, string]> {
  const problems: Array<[SecretKey, string]> = [];
  const passwords = (["password", "password_env", "password_file"] as const).filter((k) => typeof block[k] === "string");
  if (passwords.length > 1) problems.push([passwords[1]!, `set only one of ${passwords.join(", ")} here: they are the same password`]);
  if (typeof block.passphrase_env === "string" && typeof block.private_key_file !== "string") {
    problems.push(["passphrase_env", "needs private_key_file beside it: the key and its passphrase come from the same place"]);
  }
  return problems;
}
