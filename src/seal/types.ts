import type { Platform } from "../common/index.js";

/**
 * Stable ciphertext: keyed hash (hex HMAC-SHA256) → sealed token
 * (`age:...`). Plain JSON. Holds no plaintext and no unkeyed hash of one.
 */
export type SecretIndex = Record<string, string>;

export interface SealOptions {
  /** Its catalog, script rules and any operator extensions decide what is sealed (see `extendPlatform`). */
  readonly platform: Platform;
  /** X25519 age recipients (`age1...`), public keys only: the tenant's own. */
  readonly recipients: readonly string[];
  /** The index returned by the previous seal of this device; `{}` at first. */
  readonly previous: Readonly<SecretIndex>;
  /** Secret key of the index HMAC (32 random bytes kept in state_dir). */
  readonly indexKey: Uint8Array;
  /** Where the text comes from, e.g. `tenant/device`: no ciphertext is shared between devices. */
  readonly context: string;
}

export interface SealResult {
  readonly text: string;
  /** Only the entries this text uses, so stale secrets are forgotten. */
  readonly index: SecretIndex;
  /** How many values were sealed (reused ciphertexts included). */
  readonly sealed: number;
  /** How many of them got a ciphertext that `previous` did not hold (all of them after a change of recipients). */
  readonly fresh: number;
  /** Keyed fingerprint of the normalized plaintext (see `plaintextFingerprint`): equal fingerprints, equal configuration. */
  readonly fingerprint: string;
}
