import type { Platform } from "../common/index.js";
import type { HandshakeGate } from "./handshake-gate.js";

/** Where and as whom to connect. Secrets live only in memory for the duration of one collection. */
export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password?: string;
  readonly privateKey?: string | Buffer;
  readonly passphrase?: string;
}

export interface CollectOptions {
  readonly platform: Platform;
  /** The TOFU pin; null on first contact, when the presented key is returned for pinning. */
  readonly pinnedFingerprint: string | null;
  /** Cached version; null or absent runs the version probe first. */
  readonly knownVersion?: string | null;
  /** From TCP connect to authenticated session. */
  readonly connectTimeoutMs: number;
  /** All commands together, from the authenticated session to the export's exit status. */
  readonly commandTimeoutMs: number;
  /** Export size cap, enforced while streaming (below 64 MiB). */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
  /** Shared by the collections of a process: spaces out handshakes that would all start at once. */
  readonly handshakes?: HandshakeGate;
  /** Epoch milliseconds, for the command deadline and the duration reported (default `Date.now`). */
  readonly clock?: () => number;
}

export interface CollectResult {
  /** The export as the device printed it, checked. */
  readonly text: string;
  /** The version the export command was chosen for. */
  readonly version: string;
  /** Presented host key, `SHA256:...` as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
  /** Bytes of export output received. */
  readonly bytes: number;
  /** Wall time of the whole collection. */
  readonly ms: number;
}

export const DEFAULT_MAX_EXPORT_BYTES = 64 * 1024 * 1024;
