import type { PlatformExtensions } from "../common/index.js";

/** The validated, resolved, frozen configuration every other folder receives. */
export type Role = "viewer" | "operator" | "admin";
import type { EventName } from "../common/index.js";
export type { EventName };

export interface Credentials {
  readonly password?: string;
  readonly password_env?: string;
  readonly password_file?: string;
  readonly private_key_file?: string;
  readonly passphrase_env?: string;
}

export interface DeviceConfig {
  readonly tenant: string;
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly group: string | null;
  readonly intervalMs: number;
  readonly enabled: boolean;
  readonly credentials: Credentials;
  /** Path of the device's file inside the tenant repository (SPEC §7). */
  readonly path: string;
}

export interface TokenConfig {
  readonly name: string;
  readonly role: Role;
  readonly sha256: string;
}

export interface WebhookConfig {
  readonly url: string;
  readonly secret_env?: string;
  readonly secret_file?: string;
  readonly events: readonly EventName[];
}

/** Where a tenant's values are sealed to, and the identity that opens them. */
export interface EncryptionConfig {
  readonly recipients: readonly string[];
  /** Absolute path, or null: decrypted reads are off. */
  readonly identityFile: string | null;
}

export interface TenantConfig {
  readonly id: string;
  /** The tenant's own `encryption` block, or the global one when it has none. */
  readonly encryption: EncryptionConfig;
  /** True when `tenants.<t>.encryption` is set (its keys are its own). */
  readonly ownEncryption: boolean;
  readonly tokens: readonly TokenConfig[];
  readonly webhooks: readonly WebhookConfig[];
  readonly devices: readonly DeviceConfig[];
  readonly deviceById: ReadonlyMap<string, DeviceConfig>;
}

export interface Config {
  /** Absolute path of the file it came from (null when built in memory). */
  readonly sourcePath: string | null;
  readonly listen: { readonly host: string; readonly port: number };
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly stateDir: string;
  readonly hooksDir: string;
  readonly metricsTokenSha256: string | null;
  readonly logLevel: "debug" | "info" | "warn" | "error";
  /** The global block: the keys of every tenant without its own. */
  readonly encryption: EncryptionConfig;
  /** Operator additions to the platform's sealing catalog (`sensitive:`). */
  readonly sensitive: PlatformExtensions;
  readonly schedule: {
    readonly intervalMs: number;
    readonly concurrency: number;
    readonly connectTimeoutMs: number;
    readonly commandTimeoutMs: number;
    readonly backoffMs: readonly number[];
  };
  readonly limits: {
    readonly maxExportBytes: number;
    readonly maxRequestBodyBytes: number;
    readonly maxConnections: number;
    readonly webhookTimeoutMs: number;
    /** First webhook retry delay; it doubles per attempt up to 1 h. */
    readonly webhookRetryStartMs: number;
    readonly hookTimeoutMs: number;
    readonly manualBackupsPerMinute: number;
    /** Open connections from one source address (an IPv6 /64 counts as one), never more than maxConnections. */
    readonly maxConnectionsPerSource: number;
    /** A request's headers must arrive within this time. */
    readonly headerTimeoutMs: number;
    /** Its body must arrive within this time after the headers. */
    readonly bodyTimeoutMs: number;
    /** `git http-backend` processes at once, whole process and per token; beyond them 503 with Retry-After. */
    readonly gitProcesses: number;
    readonly gitProcessesPerToken: number;
    /** Open event streams per token, and the unsent bytes a stream may hold before it is dropped. */
    readonly eventStreamsPerToken: number;
    readonly eventStreamBufferBytes: number;
    /** An audit segment at or past this size is closed and the next one started. */
    readonly auditSegmentBytes: number;
    /** Denied requests are counted and written as one `auth.denied` entry per tenant and source per interval. */
    readonly authDeniedIntervalMs: number;
  };
  readonly tenants: ReadonlyMap<string, TenantConfig>;
}
