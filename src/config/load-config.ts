import path from "node:path";
import { parseDocument } from "yaml";
import { EVENT_NAMES, parseDuration, RosarchiveError } from "../common/index.js";
import { pathCollisions } from "./path-collisions.js";
import { levelProblems } from "./credential-precedence.js";
import { resolveInventory } from "./resolve-inventory.js";
import { resolveDevice } from "./resolve-device.js";
import { resolveIgnore, resolvePolicy } from "./resolve-policy.js";
import { configSchema, type RawConfig } from "./schema.js";
import type { Config, CredentialSet, DeviceConfig, DeviceDefaults, TenantConfig } from "./types.js";

/** One problem in a config file, named by key path (`tenants.acme.devices[1].host`). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

export class ConfigError extends RosarchiveError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super("config_invalid", problems.map((p) => `${p.path}: ${p.message}`).join("\n"), {});
    this.problems = problems;
  }
}

export function keyPath(parts: readonly PropertyKey[]): string {
  let out = "";
  for (const part of parts) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out || "(root)";
}

/**
 * YAML text → validated, resolved, deep-frozen Config. Relative directories
 * resolve against `baseDir` (the config file's folder). Throws ConfigError
 * listing every problem, each with its key path.
 */
export function loadConfig(text: string, opts: { baseDir: string; sourcePath?: string | null }): Config {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => ({ path: "(yaml)", message: e.message.split("\n")[0]! })));
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError([{ path: "(root)", message: "must be a YAML mapping with at least `encryption` and `tenants`" }]);
  }
  // A collector file may leave tenants out: it can serve jobs with `defaults` credentials alone.
  const input = (data as Record<string, unknown>).role === "collector" && !("tenants" in data) ? { ...data, tenants: {} } : data;
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems: ConfigProblem[] = [];
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const k of issue.keys) problems.push({ path: keyPath([...issue.path, k]), message: "unknown key" });
      } else {
        problems.push({ path: keyPath(issue.path), message: issue.message });
      }
    }
    throw new ConfigError(problems);
  }
  return resolveConfig(parsed.data, opts);
}

type Resolve = {
  readonly abs: (p: string) => string;
  readonly ms: (d: string) => number;
  readonly problems: ConfigProblem[];
};

function resolveConfig(raw: RawConfig, opts: { baseDir: string; sourcePath?: string | null }): Config {
  const problems: ConfigProblem[] = [];
  const r: Resolve = { abs: (p) => path.resolve(opts.baseDir, p), ms: (d) => parseDuration(d)!, problems };
  const { abs } = r;
  const [host, portText] = splitHostPort(raw.listen);
  const schedule = resolveSchedule(raw.schedule, r);
  const globalEncryption = {
    recipients: raw.encryption.recipients,
    identityFile: raw.encryption.identity_file ? abs(raw.encryption.identity_file) : null,
  };
  const sets = new Map<string, CredentialSet>(Object.entries(raw.credentials).map(([name, set]) => [name, absPaths(set, abs)]));
  for (const [name, set] of sets) for (const [key, message] of levelProblems(set)) problems.push({ path: `credentials.${name}.${key}`, message });
  const globalDefaults: DeviceDefaults = absPaths(raw.defaults, abs);
  checkDefaults(globalDefaults, "defaults", sets, problems);

  const tenants = new Map<string, TenantConfig>();
  const tokenHashes = new Map<string, string>();
  for (const [tenantId, t] of Object.entries(raw.tenants)) {
    tenants.set(tenantId, resolveTenant(tenantId, t, { raw, r, sets, globalDefaults, globalEncryption, schedule, tokenHashes, baseDir: opts.baseDir }));
  }
  if (raw.role === "collector" && raw.metrics_token_sha256) problems.push({ path: "metrics_token_sha256", message: "a collector file has no API; set collector.listen for its /metrics" });
  if (raw.nats) checkNats(raw.nats, tenants, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const stateDir = abs(raw.state_dir);
  const collectorListen = raw.collector.listen ? splitHostPort(raw.collector.listen) : null;

  return deepFreeze({
    role: raw.role,
    sourcePath: opts.sourcePath ?? null,
    listen: { host, port: Number(portText) },
    publicUrl: (raw.public_url ?? `${raw.tls ? "https" : "http"}://${raw.listen}`).replace(/\/+$/, ""),
    dataDir: abs(raw.data_dir),
    stateDir,
    hooksDir: abs(raw.hooks_dir),
    metricsTokenSha256: raw.metrics_token_sha256,
    metricsPerDevice: raw.metrics_per_device,
    tls: raw.tls ? { certFile: abs(raw.tls.cert_file), keyFile: abs(raw.tls.key_file) } : null,
    trustedProxies: raw.trusted_proxies,
    logLevel: raw.log_level,
    encryption: { ...globalEncryption, indexKeyFile: raw.encryption.index_key_file ? abs(raw.encryption.index_key_file) : path.join(stateDir, "secret-index.key") },
    sensitive: sensitiveExtensions(raw.sensitive),
    schedule,
    defaults: globalDefaults,
    credentials: sets,
    limits: resolveLimits(raw.limits, r),
    tenants,
    nats: raw.nats ? resolveNats(raw.nats, r) : null,
    collector: {
      id: raw.collector.id ?? null,
      sites: raw.collector.sites ?? null,
      concurrency: raw.collector.concurrency ?? schedule.concurrency,
      listen: collectorListen ? { host: collectorListen[0], port: Number(collectorListen[1]) } : null,
    },
  });
}

/** Credential files resolved against the config file's folder. */
function absPaths<T extends { password_file?: string | null | undefined; private_key_file?: string | null | undefined }>(b: T, abs: (p: string) => string): T {
  return {
    ...b,
    ...(typeof b.password_file === "string" && { password_file: abs(b.password_file) }),
    ...(typeof b.private_key_file === "string" && { private_key_file: abs(b.private_key_file) }),
  };
}

function checkDefaults(d: DeviceDefaults, where: string, sets: ReadonlyMap<string, CredentialSet>, problems: ConfigProblem[]): void {
  for (const [key, message] of levelProblems(d)) problems.push({ path: `${where}.${key}`, message });
  if (typeof d.credentials === "string" && !sets.has(d.credentials)) problems.push({ path: `${where}.credentials`, message: `no credential set named "${d.credentials}" (define it under the top-level credentials:)` });
}

function resolveSchedule(s: RawConfig["schedule"], { ms }: Resolve): Config["schedule"] {
  return {
    intervalMs: ms(s.interval),
    concurrency: s.concurrency,
    connectTimeoutMs: ms(s.connect_timeout),
    commandTimeoutMs: ms(s.command_timeout),
    backoffMs: s.backoff.map(ms),
    firstRunWindowMs: ms(s.first_run_window),
  };
}

function resolveTenant(
  tenantId: string,
  t: RawConfig["tenants"][string],
  c: {
    raw: RawConfig;
    r: Resolve;
    sets: ReadonlyMap<string, CredentialSet>;
    globalDefaults: DeviceDefaults;
    globalEncryption: { recipients: readonly string[]; identityFile: string | null };
    schedule: Config["schedule"];
    tokenHashes: Map<string, string>;
    baseDir: string;
  },
): TenantConfig {
  const { abs, ms, problems } = c.r;
  const devices: DeviceConfig[] = [];
  const byId = new Map<string, DeviceConfig>();
  const tenantDefaults: DeviceDefaults = absPaths(t.defaults ?? {}, abs);
  checkDefaults(tenantDefaults, `tenants.${tenantId}.defaults`, c.sets, problems);
  t.devices.forEach((d, i) => {
    const where = `tenants.${tenantId}.devices[${i}]`;
    if (byId.has(d.id)) problems.push({ path: `${where}.id`, message: `duplicate device id "${d.id}" in tenant ${tenantId}` });
    const { interval, ...keys } = absPaths(d, abs);
    const resolved = resolveDevice(
      { ...keys, ...(interval !== undefined && { intervalMs: ms(interval) }) },
      { tenant: tenantId, source: "config", tenantDefaults, globalDefaults: c.globalDefaults, sets: c.sets, defaultIntervalMs: c.schedule.intervalMs, where },
    );
    problems.push(...resolved.problems);
    devices.push(resolved.device);
    byId.set(d.id, resolved.device);
  });
  for (const col of pathCollisions(devices.map((d, i) => ({ id: d.id, path: d.path, where: `tenants.${tenantId}.devices[${i}]` })))) {
    problems.push({ path: `${col.second.where}`, message: `device ${col.second.id} collides with device ${col.first.id} (${col.first.where}): ${col.why}; rename a device or a group` });
  }
  const inventory = resolveInventory(t.inventory, `tenants.${tenantId}.inventory`, abs, problems);
  t.tokens.forEach((tok, i) => {
    const seen = c.tokenHashes.get(tok.sha256);
    if (seen) problems.push({ path: `tenants.${tenantId}.tokens[${i}].sha256`, message: `same token as ${seen}; each token belongs to one tenant` });
    c.tokenHashes.set(tok.sha256, `tenants.${tenantId}.tokens[${i}]`);
  });
  if (c.raw.role === "collector") {
    if (t.tokens.length > 0) problems.push({ path: `tenants.${tenantId}.tokens`, message: "a collector file holds no API tokens (they belong to the core's file)" });
    if (t.webhooks.length > 0) problems.push({ path: `tenants.${tenantId}.webhooks`, message: "a collector file holds no webhooks (they belong to the core's file)" });
  }
  t.webhooks.forEach((w, i) => {
    if (!w.secret_env && !w.secret_file) {
      problems.push({ path: `tenants.${tenantId}.webhooks[${i}].secret_env`, message: "required (or secret_file): webhooks are always signed" });
    }
  });
  return {
    id: tenantId,
    encryption: t.encryption ? { recipients: t.encryption.recipients, identityFile: t.encryption.identity_file ? abs(t.encryption.identity_file) : null } : c.globalEncryption,
    ownEncryption: t.encryption !== undefined,
    defaults: tenantDefaults,
    inventory,
    tokens: t.tokens,
    webhooks: t.webhooks.map((w) => ({ ...w, events: w.events ?? [...EVENT_NAMES] })),
    devices,
    deviceById: byId,
    policy: resolvePolicy(tenantId, t, c.baseDir, problems),
    compareIgnore: resolveIgnore(c.raw.compare?.ignore ?? [], t.compare?.ignore ?? []),
  };
}

function resolveLimits(l: RawConfig["limits"], { ms }: Resolve): Config["limits"] {
  return {
    maxExportBytes: l.max_export_bytes,
    maxRequestBodyBytes: l.max_request_body_bytes,
    maxConnections: l.max_connections,
    webhookTimeoutMs: ms(l.webhook_timeout),
    webhookRetryStartMs: ms(l.webhook_retry_start),
    hookTimeoutMs: ms(l.hook_timeout),
    manualBackupsPerMinute: l.manual_backups_per_minute,
    maxConnectionsPerSource: Math.min(l.max_connections_per_source, l.max_connections),
    headerTimeoutMs: ms(l.header_timeout),
    bodyTimeoutMs: ms(l.body_timeout),
    gitProcesses: l.git_processes,
    gitProcessesPerToken: Math.min(l.git_processes_per_token, l.git_processes),
    eventStreamsPerToken: l.event_streams_per_token,
    eventStreamBufferBytes: l.event_stream_buffer_bytes,
    auditSegmentBytes: l.audit_segment_bytes,
    authDeniedIntervalMs: ms(l.auth_denied_interval),
    searchTimeoutMs: ms(l.search_timeout),
  };
}

/** A site names NATS subjects (`rosarchive.jobs.<site>`): no '.' there; one way to authenticate. */
function checkNats(nats: NonNullable<RawConfig["nats"]>, tenants: ReadonlyMap<string, TenantConfig>, problems: ConfigProblem[]): void {
  for (const t of tenants.values()) {
    t.devices.forEach((d, i) => {
      if (d.source === "config" && d.site.includes(".")) problems.push({ path: `tenants.${t.id}.devices[${i}].site`, message: "must not contain '.' with remote collectors (a site is a NATS subject token)" });
    });
  }
  if (nats.password_env && !nats.user) problems.push({ path: "nats.user", message: "required with nats.password_env" });
  const auths = [nats.creds_file, nats.user, nats.nkey_file].filter((x) => x !== undefined).length;
  if (auths > 1) problems.push({ path: "nats", message: "choose one of creds_file, user/password_env, nkey_file" });
  if (parseDuration(nats.heartbeat)! * 2 > parseDuration(nats.collector_ttl)!) problems.push({ path: "nats.collector_ttl", message: "must be at least twice nats.heartbeat" });
}

function resolveNats(nats: NonNullable<RawConfig["nats"]>, { abs, ms }: Resolve): NonNullable<Config["nats"]> {
  return {
    servers: Array.isArray(nats.url) ? nats.url : [nats.url],
    credsFile: nats.creds_file ? abs(nats.creds_file) : null,
    user: nats.user ?? null,
    passwordEnv: nats.password_env ?? null,
    nkeyFile: nats.nkey_file ? abs(nats.nkey_file) : null,
    tls: nats.tls
      ? {
          caFile: nats.tls.ca_file ? abs(nats.tls.ca_file) : null,
          certFile: nats.tls.cert_file ? abs(nats.tls.cert_file) : null,
          keyFile: nats.tls.key_file ? abs(nats.tls.key_file) : null,
        }
      : null,
    streamPrefix: nats.stream_prefix,
    ackWaitMs: ms(nats.ack_wait),
    jobDeadlineMs: ms(nats.job_deadline),
    collectorTtlMs: ms(nats.collector_ttl),
    heartbeatMs: ms(nats.heartbeat),
    maxInFlight: nats.max_in_flight,
  };
}

/** `sensitive:` as the platform extensions it describes; menus in the space form exports print. */
function sensitiveExtensions(raw: RawConfig["sensitive"]): Config["sensitive"] {
  const entry = (p: RawConfig["sensitive"]["params"][number], what: string) => ({
    name: p.name,
    ...(p.menus && { menus: p.menus.map((m) => (m === "/" ? m : `/${m.slice(1).split("/").join(" ")}`)) }),
    reason: p.reason ?? `${what} added in the config (sensitive)`,
  });
  return {
    params: raw.params.map((p) => entry(p, "sealed value")),
    scriptParams: raw.script_params.map((p) => entry(p, "script-bearing value")),
    secretWords: raw.secret_words.map((w) => w.toUpperCase()),
    sealWholeScripts: raw.seal_whole_scripts,
  };
}


function splitHostPort(listen: string): [string, string] {
  const i = listen.lastIndexOf(":");
  return [listen.slice(0, i).replace(/^\[|\]$/g, ""), listen.slice(i + 1)];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) for (const v of value.values()) deepFreeze(v);
    else for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Problems that only show against the running environment (env vars, files). */
export function checkEnvironment(config: Config, env: NodeJS.ProcessEnv, exists: (p: string) => boolean): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // With remote collectors the core never logs in to a router: the collectors hold the credentials.
  const collectsHere = !(config.nats && config.role === "core");
  if (config.nats?.passwordEnv && env[config.nats.passwordEnv] === undefined) problems.push({ path: "nats.password_env", message: `environment variable ${config.nats.passwordEnv} is not set` });
  for (const tenant of config.tenants.values()) {
    if (collectsHere) tenant.devices.forEach((d, i) => {
      const where = `tenants.${tenant.id}.devices[${i}]`;
      const c = d.credentials;
      if (!c.password && !c.password_env && !c.password_file && !c.private_key_file) {
        problems.push({ path: `${where}.password_env`, message: "no credentials: set password_env, password_file, private_key_file or password here, in a named credential set, or in the tenant's or global defaults" });
      }
      if (c.password_env && env[c.password_env] === undefined) problems.push({ path: `${where}.password_env`, message: `environment variable ${c.password_env} is not set` });
      if (c.password_file && !exists(c.password_file)) problems.push({ path: `${where}.password_file`, message: `file ${c.password_file} does not exist` });
      if (c.private_key_file && !exists(c.private_key_file)) problems.push({ path: `${where}.private_key_file`, message: `file ${c.private_key_file} does not exist` });
    });
    tenant.inventory.forEach((s, i) => {
      if (s.type === "file") return;
      const where = `tenants.${tenant.id}.inventory[${i}]`;
      const { token_env, token_file, basic } = s.auth;
      if (token_env && env[token_env] === undefined) problems.push({ path: `${where}.token_env`, message: `environment variable ${token_env} is not set` });
      if (token_file && !exists(token_file)) problems.push({ path: `${where}.token_file`, message: `file ${token_file} does not exist` });
      if (basic?.password_env && env[basic.password_env] === undefined) problems.push({ path: `${where}.basic.password_env`, message: `environment variable ${basic.password_env} is not set` });
      if (basic?.password_file && !exists(basic.password_file)) problems.push({ path: `${where}.basic.password_file`, message: `file ${basic.password_file} does not exist` });
    });
    tenant.webhooks.forEach((w, i) => {
      if (w.secret_env && env[w.secret_env] === undefined) problems.push({ path: `tenants.${tenant.id}.webhooks[${i}].secret_env`, message: `environment variable ${w.secret_env} is not set` });
    });
  }
  if (config.tls) {
    if (!exists(config.tls.certFile)) problems.push({ path: "tls.cert_file", message: `file ${config.tls.certFile} does not exist` });
    if (!exists(config.tls.keyFile)) problems.push({ path: "tls.key_file", message: `file ${config.tls.keyFile} does not exist` });
  }
  if (config.encryption.identityFile && !exists(config.encryption.identityFile)) {
    problems.push({ path: "encryption.identity_file", message: `file ${config.encryption.identityFile} does not exist` });
  }
  for (const tenant of config.tenants.values()) {
    const f = tenant.ownEncryption ? tenant.encryption.identityFile : null;
    if (f && !exists(f)) problems.push({ path: `tenants.${tenant.id}.encryption.identity_file`, message: `file ${f} does not exist` });
  }
  return problems;
}
