import { z } from "zod";
import { EVENT_NAMES } from "../common/index.js";
import { inventorySourceSchema } from "./inventory-schema.js";
import { duration, envName, filePath, id, required } from "./schema-primitives.js";
import { compareSchema, policyListSchema } from "./policy-schema.js";
import { parseCidr } from "./cidr.js";

const hostPort = z
  .string(required("host:port"))
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, "must be host:port, e.g. 127.0.0.1:8080")
  .meta({ "x-kind": "host:port" });

/** A site: where a device sits, and which collectors reach it. A NATS subject token, so no `.` (unlike other ids). */
export const SITE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const site = z.string(required("a site name")).regex(SITE_PATTERN, "must match ^[a-z0-9][a-z0-9_-]{0,62}$ (a site name has no '.')");

const sha256Hex = z
  .string(required("64 hex characters"))
  .regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters (the sha256 printed by `rosarchive token`)")
  .meta({ "x-kind": "sha256 hex" });

/**
 * The secret keys of a credential source. On a device or in `defaults` each
 * may also be `null`: "none from here", which cancels the key inherited from
 * a farther level (see credential-precedence.ts).
 */
const secretFields = {
  password: z.string(required("a string")),
  password_env: envName,
  password_file: filePath,
  private_key_file: filePath,
  passphrase_env: envName,
};

/** Keys a device may carry; `defaults` takes the same keys, all optional. */
const deviceFields = {
  host: z.string(required("a host name or address")).min(1, "required").max(253),
  port: z.number(required("a port number")).int().min(1).max(65535),
  username: z.string(required("a user name")).min(1).max(128),
  group: id,
  site: id,
  interval: duration,
  enabled: z.boolean(required("true or false")),
};

/** A named credential set (top-level `credentials:`): devices, defaults and inventory rows refer to it by name. */
export const credentialSetSchema = z.strictObject({
  username: deviceFields.username.optional(),
  password: secretFields.password.optional(),
  password_env: secretFields.password_env.optional(),
  password_file: secretFields.password_file.optional(),
  private_key_file: secretFields.private_key_file.optional(),
  passphrase_env: secretFields.passphrase_env.optional(),
});

/** `defaults` (global or per tenant) takes every device key but the device's own id and host, all optional. */
export const defaultsSchema = z.strictObject({
  port: deviceFields.port.optional(),
  username: deviceFields.username.optional(),
  password: secretFields.password.nullable().optional(),
  password_env: secretFields.password_env.nullable().optional(),
  password_file: secretFields.password_file.nullable().optional(),
  private_key_file: secretFields.private_key_file.nullable().optional(),
  passphrase_env: secretFields.passphrase_env.nullable().optional(),
  credentials: id.nullable().optional(),
  group: deviceFields.group.optional(),
  site: deviceFields.site.optional(),
  interval: deviceFields.interval.optional(),
  enabled: deviceFields.enabled.optional(),
});

export const deviceSchema = defaultsSchema.extend({ id, host: deviceFields.host });


const webhookSchema = z.strictObject({
  url: z.string(required("an http(s) URL")).url("must be an http(s) URL").refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
  secret_env: z.string(required("an environment variable name")).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name").optional(),
  secret_file: z.string(required("a file path")).min(1).optional(),
  events: z.array(z.enum(EVENT_NAMES)).min(1).optional(),
});

const tokenSchema = z.strictObject({
  name: z.string(required("a name")).min(1).max(64),
  role: z.enum(["viewer", "operator", "admin"], { error: "must be viewer, operator or admin" }),
  sha256: sha256Hex,
});

const recipient = z
  .string(required("an age recipient"))
  .regex(/^age1[02-9ac-hj-np-z]{58}$/, "must be an age X25519 recipient (age1..., from `rosarchive keygen`)")
  .meta({ "x-kind": "age recipient" });

/** The global `encryption` block, and a tenant's own (which replaces it whole for that tenant). */
const encryptionSchema = z.strictObject(
  {
    recipients: z.array(recipient, required("a list of age recipients")).min(1, "at least one recipient is required"),
    identity_file: z.string().min(1).nullable().default(null),
  },
  required("a mapping with recipients"),
);

/** A RouterOS menu path, `/ip hotspot user` (or `/ip/hotspot/user`). */
const menuPath = z
  .string(required("a menu path"))
  .regex(/^\/([a-z0-9][a-z0-9-]*([ /][a-z0-9][a-z0-9-]*)*)?$/, 'must be a menu path like "/ip hotspot user"')
  .meta({ "x-kind": "menu path" });

/** One operator catalog entry: a parameter name, optionally only in some menus. */
const paramEntry = z.strictObject({
  name: z.string(required("a parameter name")).regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, "must be a RouterOS parameter name as printed, e.g. api-key"),
  menus: z.array(menuPath).min(1, "list at least one menu, or leave menus out for every menu").optional(),
  reason: z.string(required("a string")).max(500).optional(),
});

/** `sensitive:` operator additions to the sealing catalog (they add; nothing built in can be turned off). */
const sensitiveSchema = z
  .strictObject({
    params: z.array(paramEntry, required("a list of { name, menus?, reason? }")).default([]),
    script_params: z.array(paramEntry, required("a list of { name, menus?, reason? }")).default([]),
    secret_words: z.array(z.string(required("a word")).regex(/^[A-Za-z0-9_-]{2,32}$/, "must be 2 to 32 letters, digits, _ or -")).default([]),
    seal_whole_scripts: z.boolean(required("true or false")).default(false),
  })
  .prefault({});

const fileOrEnvName = z.string(required("a file path")).min(1);

/** Remote collectors over NATS JetStream: the block switches the core to publishing jobs and consuming snapshots. */
const natsSchema = z.strictObject(
  {
    url: z
      .union([z.string(), z.array(z.string()).min(1)], required("a nats:// URL or a list of them"))
      .refine((u) => (Array.isArray(u) ? u : [u]).every((x) => /^(nats|tls):\/\/[^\s/]+$/.test(x)), "must be nats://host:port (or tls://host:port), one or a list"),
    creds_file: fileOrEnvName.optional(),
    user: z.string(required("a user name")).min(1).max(256).optional(),
    password_env: envName.optional(),
    nkey_file: fileOrEnvName.optional(),
    tls: z
      .strictObject({
        ca_file: fileOrEnvName.optional(),
        cert_file: fileOrEnvName.optional(),
        key_file: fileOrEnvName.optional(),
      })
      .optional(),
    stream_prefix: z.string(required("a name")).regex(/^[a-z][a-z0-9_-]{0,31}$/, "must match ^[a-z][a-z0-9_-]{0,31}$").default("rosarchive"),
    ack_wait: duration.default("30s"),
    job_deadline: duration.default("15m"),
    collector_ttl: duration.default("30s"),
    heartbeat: duration.default("5s"),
    max_in_flight: z.number().int().min(1).max(100_000).default(1000),
  },
  required("a mapping with url"),
);

/** What a collector process runs with (ignored by the core). */
const collectorSchema = z.strictObject({
  id: z.string(required("a collector name")).regex(SITE_PATTERN, "must match ^[a-z0-9][a-z0-9_-]{0,62}$").optional(),
  sites: z.array(site).min(1).optional(),
  concurrency: z.number().int().min(1).max(1000).optional(),
  listen: hostPort.optional(),
});

/** `tls:` the service terminates TLS itself with this certificate chain and key (PEM files, re-read on SIGHUP). */
const tlsSchema = z.strictObject(
  {
    cert_file: z.string(required("a file path")).min(1),
    key_file: z.string(required("a file path")).min(1),
  },
  required("a mapping with cert_file and key_file"),
);

/** An address or CIDR block (`127.0.0.1/32`, `10.0.0.0/8`, `::1`) of a reverse proxy whose X-Forwarded-For is believed. */
const proxyBlock = z
  .string(required("an address or CIDR block"))
  .refine((v) => parseCidr(v) !== null, "must be an IP address or CIDR block, e.g. 127.0.0.1/32 or ::1/128")
  .meta({ "x-kind": "CIDR" });

const tenantSchema = z.strictObject({
  encryption: encryptionSchema.optional(),
  defaults: defaultsSchema.optional(),
  inventory: z.array(inventorySourceSchema).default([]),
  tokens: z.array(tokenSchema).default([]),
  webhooks: z.array(webhookSchema).default([]),
  devices: z.array(deviceSchema).default([]),
  policy: policyListSchema.default([]),
  policy_file: z.string(required("a file path")).min(1).optional(),
  compare: compareSchema.optional(),
});

export const configSchema = z.strictObject({
  role: z.enum(["core", "collector"], { error: "must be core or collector" }).default("core"),
  listen: hostPort.default("127.0.0.1:8080"),
  public_url: z.string(required("a URL")).url("must be a URL").optional(),
  data_dir: z.string(required("a directory")).min(1).default("./repos"),
  state_dir: z.string(required("a directory")).min(1).default("./state"),
  hooks_dir: z.string(required("a directory")).min(1).default("./hooks"),
  metrics_token_sha256: sha256Hex.nullable().default(null),
  metrics_per_device: z.boolean(required("true or false")).default(true),
  tls: tlsSchema.nullable().default(null),
  trusted_proxies: z.array(proxyBlock, required("a list of addresses or CIDR blocks")).default([]),
  log_level: z.enum(["debug", "info", "warn", "error"]).default("info"),
  // The global block also names the secret index key (collectors hold a copy of it).
  encryption: encryptionSchema.extend({ index_key_file: z.string(required("a file path")).min(1).optional() }),
  sensitive: sensitiveSchema,
  schedule: z
    .strictObject({
      interval: duration.default("6h"),
      concurrency: z.number().int().min(1).max(1000).default(20),
      connect_timeout: duration.default("10s"),
      command_timeout: duration.default("60s"),
      backoff: z.array(duration).min(1).default(["5m", "15m", "1h"]),
      first_run_window: duration.default("2m"),
    })
    .prefault({}),
  limits: z
    .strictObject({
      max_export_bytes: z.number().int().min(1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
      max_request_body_bytes: z.number().int().min(1024).default(1024 * 1024),
      max_connections: z.number().int().min(1).default(512),
      webhook_timeout: duration.default("10s"),
      webhook_retry_start: duration.default("10s"),
      hook_timeout: duration.default("30s"),
      manual_backups_per_minute: z.number().int().min(1).default(10),
      // Abuse limits: one client, token or router must not exhaust the service.
      max_connections_per_source: z.number().int().min(1).default(128),
      header_timeout: duration.default("10s"),
      body_timeout: duration.default("30s"),
      git_processes: z.number().int().min(1).default(16),
      git_processes_per_token: z.number().int().min(1).default(4),
      event_streams_per_token: z.number().int().min(1).default(8),
      event_stream_buffer_bytes: z.number().int().min(64 * 1024).default(1024 * 1024),
      audit_segment_bytes: z.number().int().min(1024).default(64 * 1024 * 1024),
      auth_denied_interval: duration.default("1m"),
      search_timeout: duration.default("10s"),
    })
    .prefault({}),
  defaults: defaultsSchema.prefault({}),
  compare: compareSchema.optional(),
  credentials: z.record(id, credentialSetSchema).default({}),
  nats: natsSchema.nullable().default(null),
  collector: collectorSchema.prefault({}),
  tenants: z.record(id, tenantSchema, required("a mapping of tenants")),
});

export type RawConfig = z.infer<typeof configSchema>;
