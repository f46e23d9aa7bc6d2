/** How a simulated device misbehaves (tests and benchmarks choose one). */
export type SimFault =
  | "wrong_password" // every authentication attempt is refused
  | "hang" // commands are accepted and never answered
  | "slow" // the export dribbles out in small chunks with pauses
  | "truncate" // half the export, then the channel closes without an exit status
  | "garbage" // binary bytes (NULs, invalid UTF-8) with exit status 0
  | "nonzero_exit" // the export, then exit status 1
  | "bad_command" // `bad command name export (line 1 column 2)` with exit status 0
  | "huge" // a 100 MiB export (past the 64 MiB default cap), streamed, never built in memory
  | "endless" // export lines without end, as fast as the client reads
  | "long_line" // a header, a menu line, then one 10 MiB line, exit status 0
  | "byte_at_a_time" // the export one byte at a time, 5 ms apart
  | "rekey_new_host_key" // at the export command the device re-keys with a different host key
  | "empty" // nothing, exit status 0
  | "hang_connect" // the TCP connection is accepted, SSH never starts (connect timeout)
  | "drop"; // half the export, then the TCP connection is cut

/** Older name, kept for callers that used it. */
export type Fault = SimFault;

export const SIM_FAULTS: readonly SimFault[] = [
  "wrong_password", "hang", "slow", "truncate", "garbage", "nonzero_exit", "bad_command", "huge", "endless", "long_line",
  "byte_at_a_time", "rekey_new_host_key", "empty", "hang_connect", "drop",
];

export type SimAuthMethod = "password" | "keyboard-interactive" | "publickey";

export interface SimDeviceSpec {
  readonly id: string;
  /** Export text as RouterOS printed it (any line endings, wrapped or not); its dated header is refreshed on every export. */
  readonly exportText: string;
  /** `7.16.2`, `6.48.4`: chooses the export dialect (show-sensitive, header date format). */
  readonly version: string;
  readonly username: string;
  readonly password?: string | undefined;
  /** OpenSSH public key lines (`ssh-ed25519 AAAA... comment`) accepted for publickey auth. */
  readonly publicKeys?: readonly string[];
  /** Methods the device offers; default: all three. */
  readonly authMethods?: readonly SimAuthMethod[];
  /** Host private key (PEM or OpenSSH); a fresh ed25519 key when absent. */
  readonly hostKey?: string;
  readonly fault?: SimFault | null;
  /** Delay before every answer (benchmarks use 500 ms). */
  readonly delayMs?: number;
  /** Loopback port; 0 or absent = ephemeral. */
  readonly port?: number;
  /** Offer only what old RouterOS v6 speaks (group14/group1-sha1, CBC, hmac-sha1, ssh-rsa): needs an RSA hostKey. */
  readonly legacyAlgorithms?: boolean;
}

/** Older name, kept for callers that used it. */
export type SimDeviceOptions = SimDeviceSpec;

/** Live counters of one device since start. */
export interface SimDeviceStats {
  connections: number;
  /** Authentication requests of any method (a host key mismatch must leave this unchanged). */
  authAttempts: number;
  execs: number;
  /** Every exec command, in order. */
  commands: string[];
}

export interface SimulatorOptions {
  readonly devices: readonly SimDeviceSpec[];
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
}

/** Live view of one device (fields change with setHostKey and as it serves). */
export interface SimDeviceInfo {
  readonly id: string;
  readonly port: number;
  /** `SHA256:...`, as `ssh-keygen -l` prints it for the current host key. */
  readonly hostKeyFingerprint: string;
  /** The current host public key as an OpenSSH line (`ssh-ed25519 AAAA...`). */
  readonly hostPublicKey: string;
  readonly stats: SimDeviceStats;
}

/** Older name, kept for callers that used it. */
export type SimDevice = SimDeviceInfo;

export interface Simulator {
  readonly host: string;
  /** Live view: updated by setHostKey. */
  readonly devices: Map<string, SimDeviceInfo>;
  setExport(id: string, text: string): void;
  setFault(id: string, fault: SimFault | null): void;
  /** New host key for new connections (open ones keep the old); returns its fingerprint. */
  setHostKey(id: string, pem: string): string;
  setPassword(id: string, password: string): void;
  setVersion(id: string, version: string): void;
  setDelay(id: string, delayMs: number): void;
  /** Exec requests received by the device since start (any command). */
  execCount(id: string): number;
  /** The most exec channels open at one moment across all devices since start. */
  peakConcurrentExecs(): number;
  stop(): Promise<void>;
}
