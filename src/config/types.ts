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
  /** Where the device came from: `config` (the config file) or the name of an inventory source. */
  readonly source: string;
  /** Where it stands (`default` unless set); remote collectors take jobs by site. */
  readonly site: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly group: string | null;
  readonly intervalMs: number;
  readonly enabled: boolean;
  readonly credentials: Credentials;
  /** Path of the device's file inside the tenant repository. */
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

/** Device keys a `defaults` block (global or per tenant) may set; secret keys may be null ("none from here"). */
export interface DeviceDefaults {
  readonly port?: number;
  readonly username?: string;
  readonly password?: string | null;
  readonly password_env?: string | null;
  readonly password_file?: string | null;
  readonly private_key_file?: string | null;
  readonly passphrase_env?: string | null;
  readonly credentials?: string | null;
  readonly group?: string;
  readonly site?: string;
  readonly interval?: string;
  readonly enabled?: boolean;
}

/** A named credential set (top-level `credentials:`), file paths absolute. */
export interface CredentialSet {
  readonly username?: string;
  readonly password?: string;
  readonly password_env?: string;
  readonly password_file?: string;
  readonly private_key_file?: string;
  readonly passphrase_env?: string;
}

interface SourceCommon {
  readonly name: string;
  readonly intervalMs: number;
  /** Largest share (0..1) of the tenant's devices one sync may remove without an admin's confirmation. */
  readonly maxRemoval: number;
  readonly timeoutMs: number;
}

export type FieldMap = Readonly<Partial<Record<"id" | "host" | "port" | "group" | "site" | "enabled" | "interval" | "credentials", string>>>;

export interface FileSourceConfig extends SourceCommon {
  readonly type: "file";
  /** Absolute path. */
  readonly path: string;
  readonly format: "csv" | "router.db";
  readonly delimiter: string;
  readonly fields: FieldMap;
  readonly map: { readonly name: number; readonly ip: number; readonly model: number; readonly group: number };
  readonly models: readonly string[];
}

/** Where a source's secret comes from (never the secret itself). */
export interface SourceAuth {
  readonly token_env?: string;
  readonly token_file?: string;
  readonly basic?: { readonly username: string; readonly password_env?: string; readonly password_file?: string };
}

export interface HttpSourceConfig extends SourceCommon {
  readonly type: "http";
  readonly url: string;
  readonly items: string | null;
  readonly fields: FieldMap & { readonly id: string; readonly host: string };
  readonly auth: SourceAuth;
}

export interface NetboxSourceConfig extends SourceCommon {
  readonly type: "netbox";
  readonly url: string;
  readonly filter: Readonly<Partial<Record<"platform" | "status" | "tenant" | "tag" | "site" | "role", readonly string[]>>>;
  readonly virtualMachines: boolean;
  readonly customFields: Readonly<Partial<Record<"port" | "group" | "interval" | "credentials" | "enabled", string>>>;
  readonly pageSize: number;
  readonly auth: SourceAuth;
}

export type InventorySourceConfig = FileSourceConfig | HttpSourceConfig | NetboxSourceConfig;

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
  /** This tenant's `defaults`, between a device's own keys and the global `defaults`. */
  readonly defaults: DeviceDefaults;
  readonly inventory: readonly InventorySourceConfig[];
  readonly tokens: readonly TokenConfig[];
  readonly webhooks: readonly WebhookConfig[];
  readonly devices: readonly DeviceConfig[];
  readonly deviceById: ReadonlyMap<string, DeviceConfig>;
  /** Policy checks (`policy` and `policy_file`), in the order given. */
  readonly policy: readonly PolicyCheck[];
  /** Lines a compare leaves out of both sides: the global list, then the tenant's. */
  readonly compareIgnore: readonly IgnoreRule[];
}

export type Severity = "info" | "warning" | "critical";

/** One policy check; its patterns are extended regular expressions over whole archived lines. */
export interface PolicyCheck {
  readonly name: string;
  readonly severity: Severity;
  readonly description: string | null;
  /** Each list given narrows the devices checked (null: any); device ids may use * and ?. */
  readonly scope: { readonly groups: readonly string[] | null; readonly sites: readonly string[] | null; readonly devices: readonly string[] | null };
  /** Only lines standing in this menu are matched (null: every line). */
  readonly section: string | null;
  readonly mustContain: readonly string[];
  readonly mustNotContain: readonly string[];
  /** Digest of what the check says: a result made by another definition is stale. */
  readonly fingerprint: string;
}

export interface IgnoreRule {
  readonly pattern: string;
  /** Only lines standing in this menu (null: anywhere). */
  readonly section: string | null;
}

/** Remote collection over NATS JetStream (the `nats:` block). */
export interface NatsConfig {
  readonly servers: readonly string[];
  readonly credsFile: string | null;
  readonly user: string | null;
  readonly passwordEnv: string | null;
  readonly nkeyFile: string | null;
  readonly tls: { readonly caFile: string | null; readonly certFile: string | null; readonly keyFile: string | null } | null;
  /** Names streams (`<PREFIX>_JOBS`), subjects (`<prefix>.jobs.<site>`) and consumers. */
  readonly streamPrefix: string;
  /** How long a job or snapshot may go unacknowledged before JetStream redelivers it. */
  readonly ackWaitMs: number;
  /** A job not started within this time of its publication is dropped (and counted). */
  readonly jobDeadlineMs: number;
  /** A collector not heard from for this long is no longer live. */
  readonly collectorTtlMs: number;
  /** How often collectors announce themselves. */
  readonly heartbeatMs: number;
  /** Jobs the core has out at once (it waits for each one's snapshot). */
  readonly maxInFlight: number;
}

/** What `rosarchive collector` runs with; the core ignores it. */
export interface CollectorSettings {
  readonly id: string | null;
  readonly sites: readonly string[] | null;
  /** SSH sessions at once in this collector (default: schedule.concurrency). */
  readonly concurrency: number;
  readonly listen: { readonly host: string; readonly port: number } | null;
}

export interface Config {
  /** `core` runs serve; a `collector` file holds only what a collector needs (no tokens, no webhooks). */
  readonly role: "core" | "collector";
  /** Absolute path of the file it came from (null when built in memory). */
  readonly sourcePath: string | null;
  readonly listen: { readonly host: string; readonly port: number };
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly stateDir: string;
  readonly hooksDir: string;
  readonly metricsTokenSha256: string | null;
  /** Per-device freshness gauges on /metrics (`metrics_per_device`). */
  readonly metricsPerDevice: boolean;
  /** TLS terminated by the service itself (absolute PEM paths), or null: plain HTTP. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /** Reverse proxies (addresses or CIDR blocks) whose `X-Forwarded-For` names the client. */
  readonly trustedProxies: readonly string[];
  readonly logLevel: "debug" | "info" | "warn" | "error";
  /** The global block: the keys of every tenant without its own; `indexKeyFile` is the secret index's key (collectors hold a copy; default state_dir/secret-index.key). */
  readonly encryption: EncryptionConfig & { readonly indexKeyFile: string };
  /** Operator additions to the platform's sealing catalog (`sensitive:`). */
  readonly sensitive: PlatformExtensions;
  readonly schedule: {
    readonly intervalMs: number;
    readonly concurrency: number;
    readonly connectTimeoutMs: number;
    readonly commandTimeoutMs: number;
    readonly backoffMs: readonly number[];
    /** A device never tried runs within this window (spread), not at its regular slot up to an interval away. */
    readonly firstRunWindowMs: number;
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
    /** Time limit of one search's git process. */
    readonly searchTimeoutMs: number;
  };
  /** Global `defaults` (file paths absolute). */
  readonly defaults: DeviceDefaults;
  readonly credentials: ReadonlyMap<string, CredentialSet>;
  readonly tenants: ReadonlyMap<string, TenantConfig>;
  readonly nats: NatsConfig | null;
  readonly collector: CollectorSettings;
}
