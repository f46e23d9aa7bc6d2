/**
 * What each configuration key means, when a change takes effect, and an
 * example: the text of docs/configuration.md beside the schema's types and
 * defaults. `npm run docs` renders the two together and fails on a key of
 * the schema that has no entry here (or a `.describe()` in the schema), so
 * a new key cannot ship undocumented.
 *
 * `reload`: `live` (a SIGHUP reload puts the new value in force), `restart`
 * (read once at start), inherited from the nearest parent that says.
 * `example`: a YAML fragment from the top of the file; the generator merges
 * it into a minimal config and checks that it loads.
 */
export interface KeyDoc {
  readonly summary: string;
  readonly reload?: "live" | "restart";
  /** When and how the change applies, beyond live/restart. */
  readonly reloadNote?: string;
  readonly example?: string;
  /** The example names a file that loading reads (policy_file): it is checked against the schema only. */
  readonly exampleReadsFiles?: boolean;
  /** For a mapping keyed by the operator's names (tenants): how its keys are written in paths. */
  readonly placeholder?: string;
}

const deviceKeys = (where: "defaults" | "tenant-defaults" | "device"): Record<string, KeyDoc> => {
  const at = (k: string, v: string) =>
    where === "defaults"
      ? `defaults:\n  ${k}: ${v}`
      : where === "tenant-defaults"
        ? `tenants:\n  acme:\n    defaults:\n      ${k}: ${v}`
        : `tenants:\n  acme:\n    devices:\n      - { id: core-1, host: 10.0.0.1, ${k}: ${v} }`;
  const scope =
    where === "defaults"
      ? "The default of every device of every tenant (the farthest level)."
      : where === "tenant-defaults"
        ? "The default of the tenant's devices, nearer than the global `defaults`."
        : "The device's own value, the nearest level.";
  const cancel = where === "defaults" ? "" : " `null` cancels the key inherited from farther levels (\"none from here\").";
  return {
    port: { summary: `SSH port of the router. ${scope} Built-in default 22.`, example: at("port", "2222") },
    username: { summary: `SSH user name (a read-only RouterOS user; on v7 its group needs the \`sensitive\` policy for \`show-sensitive\`). ${scope} Built-in default \`backup\`.`, example: at("username", "backup") },
    password: { summary: `The SSH password itself, in the file. Prefer \`password_env\` or \`password_file\` so the config holds no secret. ${scope} The nearest level that sets a password (of any kind) supplies it whole.${cancel}`, example: at("password", '"not-in-production"') },
    password_env: { summary: `Name of an environment variable of the service that holds the SSH password. ${scope} \`serve\` refuses to start (and a reload is refused) when it is not set.${cancel}`, example: at("password_env", "ROUTER_PASSWORD") },
    password_file: { summary: `A file holding the SSH password (read at each backup; surrounding whitespace is ignored). ${scope}${cancel}`, example: at("password_file", "/etc/rosarchive/router-password") },
    private_key_file: { summary: `An OpenSSH private key for public-key authentication. ${scope}${cancel}`, example: at("private_key_file", "/etc/rosarchive/id_ed25519") },
    passphrase_env: { summary: `Environment variable holding the passphrase of \`private_key_file\`; it must be set at the same level as the key. ${scope}${cancel}`, example: where === "device" ? "tenants:\n  acme:\n    devices:\n      - { id: core-1, host: 10.0.0.1, private_key_file: /etc/rosarchive/id_ed25519, passphrase_env: ROUTER_KEY_PASSPHRASE }" : `${at("private_key_file", "/etc/rosarchive/id_ed25519")}\n${where === "defaults" ? "  " : "      "}passphrase_env: ROUTER_KEY_PASSPHRASE` },
    credentials: {
      summary: `The name of a credential set (top-level \`credentials:\`) supplying user name and secret at this level. ${scope} \`null\` stops the sets named by farther defaults.`,
      example: `credentials:\n  site-routers: { username: backup, password_env: ROUTER_PASSWORD }\n${at("credentials", "site-routers")}`,
    },
    site: { summary: `The device's site: a label in the API, the web UI's filter and \`?site=\`. ${scope}`, example: at("site", "fra-dc") },
    group: { summary: `Folder of the device's file in the tenant repository (\`<group>/<device>.rsc\`); also a filter in the web UI. ${scope}`, example: at("group", "fra") },
    interval: { summary: `How often the device is backed up. ${scope} Default: \`schedule.interval\`. Runs are spread over the interval by a stable per-device offset.`, example: at("interval", "1h") },
    enabled: { summary: `false: the device is kept in the config and its history served, but never backed up. ${scope}`, example: at("enabled", "false") },
  };
};

const catalogEntry = (list: "params" | "script_params"): Record<string, KeyDoc> => ({
  [`sensitive.${list}[].name`]: { summary: "The parameter name as `/export` prints it (`api-key`); whole names only.", example: `sensitive:\n  ${list}:\n    - { name: api-token }` },
  [`sensitive.${list}[].menus`]: { summary: "Only in these menus (`/ip hotspot user` or `/ip/hotspot/user`); leave it out for every menu.", example: `sensitive:\n  ${list}:\n    - { name: license-key, menus: ["/tool custom-module"] }` },
  [`sensitive.${list}[].reason`]: { summary: "Why it is sealed: kept with the entry, shown in logs and errors.", example: `sensitive:\n  ${list}:\n    - { name: api-token, reason: "our scripts call $Notify api-token=..." }` },
});

const encryptionKeys = (prefix: string, nest: (body: string) => string, who: string): Record<string, KeyDoc> => ({
  [`${prefix}.recipients`]: {
    summary: `age X25519 recipients (\`age1...\`, from \`rosarchive keygen\`) every sealed value of ${who} is encrypted to. The service needs only these public keys to archive. A change applies to the next seal; each device's next backup re-seals its values in one commit labelled \`Resealed: true\` (see operations: key rotation).`,
    example: nest("recipients: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p]"),
  },
  [`${prefix}.identity_file`]: {
    summary: `An age identity file that opens ${who}'s values, for admins' decrypted reads over the API (\`decrypt=true\`) and \`rosarchive reseal\`. null: decrypted reads are off. Keep it off the archive host when you can.`,
    example: nest("recipients: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p]\n  identity_file: /etc/rosarchive/identity.txt"),
  },
});

/** The keys of each kind of inventory source, under `tenants.<tenant>.inventory[type=<kind>]`. */
function inventoryKeys(): Record<string, KeyDoc> {
  const base = "tenants.<tenant>.inventory";
  const ex = (kind: string, body: string) => `tenants:\n  acme:\n    inventory:\n      - { type: ${kind}, ${body} }`;
  const required: Record<string, string> = { file: "path: /etc/rosarchive/routers.csv", http: "url: https://cmdb.example/api/routers, fields: { id: name, host: address }", netbox: "url: https://netbox.example, token_env: NETBOX_TOKEN" };
  const out: Record<string, KeyDoc> = {
    [base]: {
      summary: "Sources of the tenant's devices besides the config file: a file (CSV or Oxidized's router.db), an HTTP API answering JSON, or NetBox. Each is read on its interval (a file also when it changes); its last good list is kept in `state_dir/inventory` and stays in force while the source fails. A sync that would remove more than `max_removal` of the tenant's devices waits for an admin's confirmation. A device that leaves is retired: one commit removes its file from main, its history stays.",
      example: ex("netbox", `${required.netbox}, filter: { platform: routeros, status: active }`),
    },
  };
  for (const kind of ["file", "http", "netbox"] as const) {
    const k = `${base}[type=${kind}]`;
    const e = (extra: string) => ex(kind, `${required[kind]}${extra ? `, ${extra}` : ""}`);
    out[`${k}.type`] = { summary: `\`${kind}\`: ${kind === "file" ? "a CSV with a header row, or Oxidized's router.db" : kind === "http" ? "a JSON list from a URL" : "NetBox's /api/dcim/devices/ (and virtual machines)"}.`, example: e("") };
    out[`${k}.name`] = { summary: "The source's name in the API, metrics, CLI and state files; default: its type. Names are unique within a tenant.", example: e("name: cmdb") };
    out[`${k}.interval`] = { summary: `How often the source is read${kind === "file" ? " (a file is also re-read as soon as it changes)" : ""}.`, example: e("interval: 5m") };
    out[`${k}.max_removal`] = { summary: "A sync that would remove more than this share of the tenant's devices (counted before the sync) is refused until an admin confirms it.", example: e('max_removal: "25%"') };
    out[`${k}.timeout`] = { summary: "Limit of one read of the source.", example: e("timeout: 1m") };
    if (kind !== "file") {
      out[`${k}.url`] = { summary: kind === "http" ? "The http(s) URL answering the JSON list; its ETag is sent back as If-None-Match (a 304 keeps the list)." : "The NetBox base URL; pages are followed through `next` on this URL only, so the token never goes elsewhere.", example: e("") };
      out[`${k}.token_env`] = { summary: `Environment variable holding the API token (${kind === "netbox" ? "sent as `Authorization: Token ...`, `Bearer` for `nbt_` tokens" : "sent as a bearer token"}).`, example: ex(kind, kind === "netbox" ? required.netbox : `${required.http}, token_env: CMDB_TOKEN`) };
      out[`${k}.token_file`] = { summary: "A file holding the API token, read at each sync.", example: ex(kind, kind === "netbox" ? "url: https://netbox.example, token_file: /etc/rosarchive/netbox-token" : `${required.http}, token_file: /etc/rosarchive/cmdb-token`) };
    }
    if (kind === "file") {
      out[`${k}.path`] = { summary: "The file; its folder is watched, so a rename over the file counts as a change.", example: e("") };
      out[`${k}.format`] = { summary: "`csv`: a header row names the columns (RFC 4180 quoting, `#` lines skipped); `router.db`: Oxidized's `name:ip:model:group` lines.", example: ex(kind, "path: /etc/oxidized/router.db, format: router.db") };
      out[`${k}.delimiter`] = { summary: "Field separator: `,` for csv and `:` for router.db unless set.", example: e('delimiter: ";"') };
      out[`${k}.map`] = { summary: "router.db: which position holds each field, as in Oxidized's own source config.", example: ex(kind, "path: /etc/oxidized/router.db, format: router.db, map: { name: 0, ip: 1, model: 2, group: 3 }") };
      for (const f of ["name", "ip", "model", "group"]) out[`${k}.map.${f}`] = { summary: `router.db: the position (from 0) of the ${f === "name" ? "device name (its id)" : f === "ip" ? "address" : f}.`, example: ex(kind, `path: /etc/oxidized/router.db, format: router.db, map: { ${f}: ${f === "name" ? 0 : f === "ip" ? 1 : f === "model" ? 2 : 3} }`) };
      out[`${k}.models`] = { summary: "router.db: rows of other models are skipped (and reported).", example: ex(kind, "path: /etc/oxidized/router.db, format: router.db, models: [routeros, ros]") };
    }
    if (kind === "http") {
      out[`${k}.items`] = { summary: "Dotted path of the list inside the answer; absent: the answer is the list.", example: e("items: data.routers") };
      out[`${k}.basic`] = { summary: "Basic authentication instead of a token.", example: ex(kind, `${required.http}, basic: { username: rosarchive, password_env: CMDB_PASSWORD }`) };
      out[`${k}.basic.username`] = { summary: "The user name.", example: ex(kind, `${required.http}, basic: { username: rosarchive, password_env: CMDB_PASSWORD }`) };
      out[`${k}.basic.password_env`] = { summary: "Environment variable holding the password.", example: ex(kind, `${required.http}, basic: { username: rosarchive, password_env: CMDB_PASSWORD }`) };
      out[`${k}.basic.password_file`] = { summary: "A file holding the password.", example: ex(kind, `${required.http}, basic: { username: rosarchive, password_file: /etc/rosarchive/cmdb-password }`) };
    }
    if (kind === "file" || kind === "http") {
      const what = kind === "file" ? "the column holding" : "the dotted path of";
      out[`${k}.fields`] = { summary: kind === "file" ? "csv: which column holds each device key (default: the key's own name)." : "Where each device key is found in a record (dotted paths); `id` and `host` are required.", example: e(kind === "file" ? "fields: { id: name, host: mgmt_ip }" : "") };
      for (const f of ["id", "host", "port", "group", "site", "enabled", "interval", "credentials"]) {
        const body = kind === "file" ? `fields: { ${f}: ${f}_column }` : f === "id" || f === "host" ? "" : `fields: { id: name, host: address, ${f}: ${f}_field }`;
        out[`${k}.fields.${f}`] = { summary: `${what.charAt(0).toUpperCase()}${what.slice(1)} the device's \`${f}\`${f === "credentials" ? " (a credential set's name)" : ""}.`, example: kind === "http" && body ? ex(kind, `url: https://cmdb.example/api/routers, ${body}`) : e(body) };
      }
    }
    if (kind === "netbox") {
      out[`${k}.filter`] = { summary: "NetBox filters passed as query parameters (slugs; a list means any of them).", example: e("filter: { platform: routeros, status: active }") };
      for (const f of ["platform", "status", "tenant", "tag", "site", "role"]) out[`${k}.filter.${f}`] = { summary: `Only devices whose ${f} is this slug (or one of these).`, example: e(`filter: { ${f}: [a, b] }`) };
      out[`${k}.virtual_machines`] = { summary: "Also read /api/virtualization/virtual-machines/ (CHR instances).", example: e("virtual_machines: true") };
      out[`${k}.custom_fields`] = { summary: "NetBox custom fields holding device keys.", example: e("custom_fields: { port: ssh_port }") };
      for (const f of ["port", "group", "interval", "credentials", "enabled"]) out[`${k}.custom_fields.${f}`] = { summary: `The custom field holding the device's \`${f}\`${f === "interval" ? " (seconds or a duration)" : ""}.`, example: e(`custom_fields: { ${f}: rosarchive_${f} }`) };
      out[`${k}.page_size`] = { summary: "Devices asked for per page.", example: e("page_size: 500") };
    }
  }
  return out;
}

const tenantEncryption = (body: string) => `tenants:\n  acme:\n    encryption:\n      ${body.replace(/\n  /g, "\n      ")}`;

const natsEx = (body: string) => `nats:\n  url: nats://127.0.0.1:4222\n${body ? `  ${body}\n` : ""}`;

export const CONFIG_KEY_DOCS: Readonly<Record<string, KeyDoc>> = {
  role: {
    summary: "`core` (the service: `serve`) or `collector` (a file for `rosarchive collector` only: NATS, sites, credentials, recipients and the index key, no tokens or webhooks). A core's file is also a valid collector file on the same machine.",
    reload: "restart",
    example: "role: core",
  },
  listen: {
    summary: "Address and port of the one HTTP listener: the API, git clone over HTTP, the web UI, /healthz and /metrics. A listener that is not loopback without `tls` logs a warning at start (tokens and git passwords would cross the network in clear).",
    reload: "restart",
    example: "listen: 127.0.0.1:8080",
  },
  public_url: {
    summary: "The address clients use (behind a reverse proxy, the proxy's), used in webhook links (`links.diff`). Default: `http://<listen>`, or `https://<listen>` with `tls`.",
    reload: "live",
    example: "public_url: https://archive.example.net",
  },
  data_dir: { summary: "Folder of the tenant repositories, `<tenant>.git` (bare Git). Back it up with Git.", reload: "restart", example: "data_dir: /var/lib/rosarchive/repos" },
  state_dir: {
    summary: "Folder of the service's own state: host-key pins and device state, the secret index and its key, the webhook outbox and dead letters, the audit logs, `FORMAT`. Back it up with `rosarchive state backup`.",
    reload: "restart",
    example: "state_dir: /var/lib/rosarchive/state",
  },
  hooks_dir: { summary: "Folder of local hooks: executables named after an event (`config.changed`) or inside `<event>.d/`.", reload: "restart", example: "hooks_dir: /etc/rosarchive/hooks" },
  metrics_token_sha256: {
    summary: "sha256 (hex) of the token /metrics requires (`Authorization: Bearer <token>`); null leaves /metrics open on the listen address. Make one with `rosarchive token`.",
    reload: "live",
    example: 'metrics_token_sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
  },
  metrics_per_device: {
    summary: "Per-device gauges on /metrics (`rosarchive_device_last_success_timestamp_seconds`, `..._last_change_...`, `rosarchive_device_interval_seconds`), for freshness alerts. Three series per device: turn them off for very large fleets (see metrics: cardinality).",
    reload: "live",
    example: "metrics_per_device: false",
  },
  tls: {
    summary: "The service terminates TLS itself with this certificate chain and key (PEM, the key unencrypted). null: plain HTTP (on loopback, behind a reverse proxy). Turning TLS on or off needs a restart.",
    reload: "restart",
    example: "tls:\n  cert_file: /etc/rosarchive/tls/fullchain.pem\n  key_file: /etc/rosarchive/tls/privkey.pem",
  },
  "tls.cert_file": {
    summary: "The certificate chain, PEM, leaf first. Re-read on every SIGHUP: renew the file and reload (a file that does not load refuses the reload, the old certificate stays).",
    reload: "live",
    example: "tls:\n  cert_file: /etc/rosarchive/tls/fullchain.pem\n  key_file: /etc/rosarchive/tls/privkey.pem",
  },
  "tls.key_file": { summary: "The certificate's private key, PEM, unencrypted; readable by the service user only. Re-read on every SIGHUP with the certificate.", reload: "live", example: "tls:\n  cert_file: /etc/rosarchive/tls/fullchain.pem\n  key_file: /etc/rosarchive/tls/privkey.pem" },
  trusted_proxies: {
    summary: "Addresses or CIDR blocks of reverse proxies in front of the service. Only a request whose peer is one of them has its `X-Forwarded-For` believed: the audit log's `ip` is then the client's. Empty (the default): the header is ignored and the peer address is used.",
    reload: "live",
    example: "trusted_proxies: [127.0.0.1/32, ::1]",
  },
  log_level: { summary: "Threshold of the JSON log lines on stdout: debug, info, warn or error.", reload: "restart", example: "log_level: info" },
  encryption: { summary: "The keys of every tenant that has no `encryption` block of its own.", reload: "live", example: "encryption:\n  recipients: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p]\n  identity_file: null" },
  ...encryptionKeys("encryption", (b) => `encryption:\n  ${b}`, "every tenant without its own block"),
  "encryption.index_key_file": {
    summary: "The secret index's HMAC key (32 bytes, made on first use). Default: `state_dir/secret-index.key`. Remote collectors hold a copy of the core's. `rosarchive state backup` copies it only when it is inside state_dir: back it up yourself otherwise.",
    reload: "restart",
    example: "encryption:\n  recipients: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p]\n  index_key_file: /etc/rosarchive/secret-index.key",
  },
  sensitive: {
    summary: "Operator additions to the built-in catalog of sealed values. They only add: nothing built in can be turned off. A change applies to the next seal; values newly sealed change their lines in one commit per device.",
    reload: "live",
    example: "sensitive:\n  params:\n    - { name: api-token }\n  secret_words: [BOT]",
  },
  "sensitive.params": { summary: "More `name=value` parameters whose values are sealed: everywhere, or only in the listed menus.", example: "sensitive:\n  params:\n    - { name: api-token, reason: \"our scripts call $Notify api-token=...\" }" },
  ...catalogEntry("params"),
  "sensitive.script_params": { summary: "More parameters whose values are RouterOS script: the secrets inside are sealed in place, as in `source=` of `/system script`.", example: "sensitive:\n  script_params:\n    - { name: on-login }" },
  ...catalogEntry("script_params"),
  "sensitive.secret_words": {
    summary: "More words that make a `/container envs` key or a script variable name a secret's (case-insensitive substrings; built in: PASS PW SECRET TOKEN KEY CREDENTIAL AUTH PSK PRIVATE).",
    example: "sensitive:\n  secret_words: [BOT, WEBHOOK]",
  },
  "sensitive.seal_whole_scripts": { summary: "true: every script-bearing value is sealed whole. Nothing inside a script can be missed, but script changes are no longer readable in diffs.", example: "sensitive:\n  seal_whole_scripts: true" },
  nats: {
    summary: "Remote collectors over NATS JetStream: with this block `serve` is the core, publishing a job per due device on its site's work queue and archiving the sealed snapshots collectors send back (see docs/remote-collectors.md). null: everything runs in one process.",
    reload: "restart",
    example: natsEx(""),
  },
  "nats.url": { summary: "`nats://host:port` or `tls://host:port`, one or a list.", example: "nats:\n  url: [nats://10.0.0.5:4222, nats://10.0.0.6:4222]" },
  "nats.creds_file": { summary: "A NATS credentials file (JWT and nkey seed).", example: natsEx("creds_file: /etc/rosarchive/core.creds") },
  "nats.user": { summary: "A NATS user name, with `password_env`.", example: natsEx("user: rosarchive-core\n  password_env: NATS_PASSWORD") },
  "nats.password_env": { summary: "Environment variable holding the NATS user's password.", example: natsEx("user: rosarchive-core\n  password_env: NATS_PASSWORD") },
  "nats.nkey_file": { summary: "A file holding an nkey seed.", example: natsEx("nkey_file: /etc/rosarchive/core.nk") },
  "nats.tls": { summary: "TLS to the NATS server: its CA, and a client certificate and key when it asks for one.", example: natsEx("tls: { ca_file: /etc/rosarchive/nats-ca.pem }") },
  "nats.tls.ca_file": { summary: "The CA that signed the NATS server's certificate.", example: natsEx("tls: { ca_file: /etc/rosarchive/nats-ca.pem }") },
  "nats.tls.cert_file": { summary: "A client certificate for the NATS server.", example: natsEx("tls: { cert_file: /etc/rosarchive/nats-client.pem, key_file: /etc/rosarchive/nats-client.key }") },
  "nats.tls.key_file": { summary: "The client certificate's key.", example: natsEx("tls: { cert_file: /etc/rosarchive/nats-client.pem, key_file: /etc/rosarchive/nats-client.key }") },
  "nats.stream_prefix": { summary: "Prefix of the subjects and streams (`<prefix>.jobs.<site>`, `ROSARCHIVE_JOBS`...), so several archives can share a NATS server.", example: natsEx("stream_prefix: rosarchive") },
  "nats.ack_wait": { summary: "How long a job may go unacknowledged before JetStream hands it to another collector of the site (collectors extend it while they work).", example: natsEx("ack_wait: 30s") },
  "nats.job_deadline": { summary: "A job still waiting after this is dropped by the collector uncollected; the core's wait ends with `timeout` (2 min at most for manual backups).", example: natsEx("job_deadline: 15m") },
  "nats.collector_ttl": { summary: "A collector not heard within this is not live; a site without a live collector fails its devices with `no_collector`.", example: natsEx("collector_ttl: 30s") },
  "nats.heartbeat": { summary: "How often collectors say they are alive.", example: natsEx("heartbeat: 5s") },
  "nats.max_in_flight": { summary: "Jobs the core waits on at once.", example: natsEx("max_in_flight: 1000") },
  collector: {
    summary: "What a collector process runs with (`rosarchive collector`); ignored by the core. Command-line flags (`--site`) win over it.",
    reload: "restart",
    example: "collector: { id: fra-1, sites: [fra-dc], concurrency: 20 }",
  },
  "collector.id": { summary: "The collector's name in heartbeats, the collectors list and its NATS inbox; default: from the host name.", example: "collector: { id: fra-1 }" },
  "collector.sites": { summary: "The sites whose jobs it takes.", example: "collector: { sites: [fra-dc, fra-edge] }" },
  "collector.concurrency": { summary: "SSH sessions at once in this collector.", example: "collector: { concurrency: 50 }" },
  "collector.listen": { summary: "Address of the collector's own /metrics and /healthz (200 while connected to NATS).", example: 'collector: { listen: "127.0.0.1:9464" }' },
  schedule: { summary: "When devices are backed up.", reload: "live", example: "schedule:\n  interval: 6h\n  concurrency: 20" },
  "schedule.interval": { summary: "Default backup interval of every device (a device's own `interval` wins). Each device runs at a stable offset inside its interval, so a fleet spreads out. On reload, next run times are recomputed.", example: "schedule:\n  interval: 1h" },
  "schedule.concurrency": { summary: "SSH sessions at once, whole process (manual backups go first). A reload applies to sessions that start after it.", example: "schedule:\n  concurrency: 50" },
  "schedule.connect_timeout": { summary: "Limit for TCP connect, SSH handshake and authentication of one backup.", example: "schedule:\n  connect_timeout: 15s" },
  "schedule.command_timeout": { summary: "Limit for the export commands of one backup, from the first command to the last byte.", example: "schedule:\n  command_timeout: 2m" },
  "schedule.backoff": { summary: "Retry delays after 1, 2, 3 and more consecutive transient failures (unreachable, timeout...); the last repeats. Authentication and host-key failures block instead.", example: "schedule:\n  backoff: [5m, 15m, 1h]" },
  "schedule.first_run_window": { summary: "A device never backed up (new at start, added by a reload or by an inventory sync) runs within this window, each at a stable offset inside it, then joins its regular slot; an interval shorter than the window keeps its own grid.", example: "schedule:\n  first_run_window: 5m" },
  limits: { summary: "Safe limits of every resource; all optional.", reload: "live", example: "limits:\n  max_export_bytes: 67108864" },
  "limits.max_export_bytes": { summary: "Largest export accepted; a larger one fails as invalid_output and is never truncated into the archive. Enforced while streaming.", example: "limits:\n  max_export_bytes: 134217728" },
  "limits.max_request_body_bytes": { summary: "Largest HTTP request body (413 beyond).", example: "limits:\n  max_request_body_bytes: 1048576" },
  "limits.max_connections": { summary: "HTTP connections at once; more wait in the kernel's backlog.", example: "limits:\n  max_connections: 1024" },
  "limits.webhook_timeout": { summary: "Limit of one webhook delivery attempt (connect to answer).", example: "limits:\n  webhook_timeout: 5s" },
  "limits.webhook_retry_start": { summary: "Delay before the first webhook retry; it doubles per attempt up to 1 h. A delivery is given up after 48 h and kept in `state_dir/outbox-dead`.", example: "limits:\n  webhook_retry_start: 30s" },
  "limits.hook_timeout": { summary: "Limit of one local hook run; at the limit the hook's whole process group is killed.", reload: "restart", example: "limits:\n  hook_timeout: 1m" },
  "limits.manual_backups_per_minute": { summary: "Manual backups (API) per device per minute; 429 with Retry-After beyond.", example: "limits:\n  manual_backups_per_minute: 5" },
  "limits.max_connections_per_source": { summary: "HTTP connections at once from one address (an IPv6 /64 counts as one); beyond it a new connection is closed before anything is read. A peer in `trusted_proxies` is held to `max_connections` only.", example: "limits:\n  max_connections_per_source: 64" },
  "limits.header_timeout": { summary: "Request headers must arrive within this time, else 408 and the connection closes.", example: "limits:\n  header_timeout: 10s" },
  "limits.body_timeout": { summary: "A request body must arrive within this time after the headers, else 408 and the connection closes.", example: "limits:\n  body_timeout: 30s" },
  "limits.git_processes": { summary: "`git http-backend` processes at once, whole service; beyond, 503 with Retry-After at once (never a queue).", example: "limits:\n  git_processes: 16" },
  "limits.git_processes_per_token": { summary: "`git http-backend` processes at once per token.", example: "limits:\n  git_processes_per_token: 4" },
  "limits.event_streams_per_token": { summary: "Open event streams per token (429 beyond).", example: "limits:\n  event_streams_per_token: 8" },
  "limits.event_stream_buffer_bytes": { summary: "Unsent bytes an event stream reader may leave waiting before it is disconnected (it reconnects with Last-Event-ID).", example: "limits:\n  event_stream_buffer_bytes: 1048576" },
  "limits.audit_segment_bytes": { summary: "Size at which the audit log of a tenant starts a new segment (`state_dir/audit/<tenant>/000002.jsonl`...).", reload: "restart", example: "limits:\n  audit_segment_bytes: 67108864" },
  "limits.search_timeout": { summary: "Limit of one search's or compare's git process (504 timeout past it: narrow the search). At most two searches run at once, 16 wait, more get 429.", example: "limits:\n  search_timeout: 10s" },
  "limits.auth_denied_interval": { summary: "Denied requests are counted and written as one `auth.denied` audit entry per tenant, source and interval.", example: "limits:\n  auth_denied_interval: 1m" },
  compare: {
    summary: "What the compare route leaves out of both sides by default (`ignore=false` compares exactly): lines that differ between twin devices by design. The global rules come first, then the tenant's.",
    reload: "live",
    example: 'compare:\n  ignore:\n    - "^/system identity"\n    - { pattern: "address=10\\\\.", section: /ip address }',
  },
  "compare.ignore": { summary: "Ignore rules: an extended regular expression (as `git grep -E` reads it) over whole lines, or `{ pattern, section }` for lines standing in one menu. Menu lines are never left out.", example: 'compare:\n  ignore: ["set name="]' },
  "compare.ignore[].pattern": { summary: "The extended regular expression; checked when the config loads (no PCRE syntax, bounded repetition).", example: 'compare:\n  ignore:\n    - { pattern: "set name=" }' },
  "compare.ignore[].section": { summary: "Only lines standing in this menu (`/system identity`).", example: 'compare:\n  ignore:\n    - { pattern: "set name=", section: /system identity }' },
  defaults: {
    summary: "Device keys shared by every device of every tenant: the farthest level. For credentials the nearest level that sets a secret supplies it whole: the device's own keys, then the set it names, then the tenant's `defaults` and their set, then these and their set.",
    reload: "live",
    example: "defaults:\n  username: backup\n  password_env: ROUTER_PASSWORD",
  },
  ...Object.fromEntries(Object.entries(deviceKeys("defaults")).map(([k, v]) => [`defaults.${k}`, v])),
  credentials: {
    summary: "Named credential sets: a user name and one secret each. Devices, defaults and inventory rows name a set (`credentials: <name>`), so inventories carry no secret.",
    reload: "live",
    placeholder: "<name>",
    example: "credentials:\n  site-routers: { username: backup, password_env: ROUTER_PASSWORD }",
  },
  "credentials.<name>": { summary: "One set; its name is an id. It sets at most one password kind (or a private key with its passphrase).", example: "credentials:\n  lab: { username: admin, password_file: /etc/rosarchive/lab-password }" },
  "credentials.<name>.username": { summary: "The SSH user name of the set.", example: "credentials:\n  lab: { username: admin, password_env: LAB_PASSWORD }" },
  "credentials.<name>.password": { summary: "The password itself, in the file (prefer password_env or password_file).", example: 'credentials:\n  lab: { username: admin, password: "not-in-production" }' },
  "credentials.<name>.password_env": { summary: "Environment variable of the service holding the password.", example: "credentials:\n  lab: { username: admin, password_env: LAB_PASSWORD }" },
  "credentials.<name>.password_file": { summary: "A file holding the password.", example: "credentials:\n  lab: { username: admin, password_file: /etc/rosarchive/lab-password }" },
  "credentials.<name>.private_key_file": { summary: "An OpenSSH private key.", example: "credentials:\n  lab: { username: admin, private_key_file: /etc/rosarchive/lab_ed25519 }" },
  "credentials.<name>.passphrase_env": { summary: "Environment variable holding the private key's passphrase.", example: "credentials:\n  lab: { username: admin, private_key_file: /etc/rosarchive/lab_ed25519, passphrase_env: LAB_KEY_PASSPHRASE }" },
  tenants: {
    summary: "The tenants, by id (`^[a-z0-9][a-z0-9._-]{0,62}$`). Each has its own repository, tokens, webhooks and devices; tenants never see each other. A tenant added by a reload is served at once; a removed one stops being backed up and served (its repository stays on disk).",
    reload: "live",
    placeholder: "<tenant>",
    example: "tenants:\n  acme:\n    devices:\n      - { id: core-1, host: 10.0.0.1 }",
  },
  "tenants.<tenant>": { summary: "One tenant.", example: "tenants:\n  acme: {}" },
  "tenants.<tenant>.encryption": {
    summary: "The tenant's own keys, replacing the global `encryption` block for it whole: its values are sealed only to its recipients and decrypted only with its identity (without `identity_file`, the tenant has no decrypted reads).",
    example: tenantEncryption("recipients: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p]"),
  },
  ...encryptionKeys("tenants.<tenant>.encryption", tenantEncryption, "the tenant"),
  "tenants.<tenant>.defaults": { summary: "Device keys shared by the tenant's devices (its config devices and its inventory rows): nearer than the global `defaults`.", example: "tenants:\n  acme:\n    defaults: { credentials: null, username: noc }" },
  ...Object.fromEntries(Object.entries(deviceKeys("tenant-defaults")).map(([k, v]) => [`tenants.<tenant>.defaults.${k}`, v])),
  ...inventoryKeys(),
  "tenants.<tenant>.policy": {
    summary: "Policy checks of the tenant's devices, evaluated after every commit, on demand (`POST .../policy/run`, `rosarchive policy run`) and after a reload for stale results; a verdict that changes fires `policy.violated` or `policy.resolved`. Patterns are extended regular expressions over whole lines of the archived (sealed) text.",
    example: 'tenants:\n  acme:\n    policy:\n      - { name: telnet-off, severity: warning, must_contain: ["^/ip service", "set telnet disabled=yes"] }',
  },
  "tenants.<tenant>.policy[].name": { summary: "The check's name (an id): in results, events and `rosarchive_policy_violations{check}`.", example: 'tenants:\n  acme:\n    policy:\n      - { name: ntp-on, severity: info, must_contain: ["enabled=yes"], section: /system ntp client }' },
  "tenants.<tenant>.policy[].severity": { summary: "info, warning or critical.", example: 'tenants:\n  acme:\n    policy:\n      - { name: no-telnet, severity: critical, must_not_contain: ["telnet disabled=no"] }' },
  "tenants.<tenant>.policy[].description": { summary: "Why the check exists, shown with its results.", example: 'tenants:\n  acme:\n    policy:\n      - { name: no-telnet, severity: critical, description: "telnet sends passwords in clear", must_not_contain: ["telnet disabled=no"] }' },
  "tenants.<tenant>.policy[].scope": { summary: "Which devices the check applies to; every list given must match (absent: every device).", example: 'tenants:\n  acme:\n    policy:\n      - { name: edge-ntp, severity: info, scope: { devices: ["edge-*"] }, must_contain: ["enabled=yes"] }' },
  "tenants.<tenant>.policy[].scope.groups": { summary: "Only devices of these groups.", example: 'tenants:\n  acme:\n    policy:\n      - { name: fra-ntp, severity: info, scope: { groups: [fra] }, must_contain: ["enabled=yes"] }' },
  "tenants.<tenant>.policy[].scope.sites": { summary: "Only devices of these sites.", example: 'tenants:\n  acme:\n    policy:\n      - { name: dc-ntp, severity: info, scope: { sites: [fra-dc] }, must_contain: ["enabled=yes"] }' },
  "tenants.<tenant>.policy[].scope.devices": { summary: "Only these device ids; `*` and `?` match any run of characters and one character.", example: 'tenants:\n  acme:\n    policy:\n      - { name: edge-ntp, severity: info, scope: { devices: ["edge-*", "core-?"] }, must_contain: ["enabled=yes"] }' },
  "tenants.<tenant>.policy[].section": { summary: "Only lines standing in this menu are matched.", example: 'tenants:\n  acme:\n    policy:\n      - { name: ntp-on, severity: info, section: /system ntp client, must_contain: ["enabled=yes"] }' },
  "tenants.<tenant>.policy[].must_contain": { summary: "Every pattern must match some line; the first that matches none is reported as `missing`.", example: 'tenants:\n  acme:\n    policy:\n      - { name: ssh-strong, severity: warning, section: /ip ssh, must_contain: ["strong-crypto=yes"] }' },
  "tenants.<tenant>.policy[].must_not_contain": { summary: "No line may match any pattern; the first line that does is reported with its section and number.", example: 'tenants:\n  acme:\n    policy:\n      - { name: no-telnet, severity: critical, must_not_contain: ["telnet disabled=no"] }' },
  "tenants.<tenant>.policy_file": { summary: "A YAML file with a list of checks in the same form, relative to the config, read again on SIGHUP; its checks join `policy`.", example: "tenants:\n  acme:\n    policy_file: policy/acme.yaml", exampleReadsFiles: true },
  "tenants.<tenant>.compare": { summary: "The tenant's compare ignore rules, after the global ones.", example: 'tenants:\n  acme:\n    compare:\n      ignore: ["set name="]' },
  "tenants.<tenant>.compare.ignore": { summary: "As `compare.ignore`.", example: 'tenants:\n  acme:\n    compare:\n      ignore: ["set name="]' },
  "tenants.<tenant>.compare.ignore[].pattern": { summary: "As `compare.ignore[].pattern`.", example: 'tenants:\n  acme:\n    compare:\n      ignore:\n        - { pattern: "set name=" }' },
  "tenants.<tenant>.compare.ignore[].section": { summary: "As `compare.ignore[].section`.", example: 'tenants:\n  acme:\n    compare:\n      ignore:\n        - { pattern: "set name=", section: /system identity }' },
  "tenants.<tenant>.tokens": { summary: "API tokens of the tenant, stored only as sha256 (`rosarchive token` prints a token and its hash). Each token belongs to one tenant.", example: 'tenants:\n  acme:\n    tokens:\n      - { name: noc, role: viewer, sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }' },
  "tenants.<tenant>.tokens[].name": { summary: "The token's name: the audit log's actor.", example: 'tenants:\n  acme:\n    tokens:\n      - { name: ci-bot, role: operator, sha256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752" }' },
  "tenants.<tenant>.tokens[].role": { summary: "viewer (read, clone, events), operator (also manual backups) or admin (also decrypted reads, host-key accept, the audit log).", example: 'tenants:\n  acme:\n    tokens:\n      - { name: ops, role: admin, sha256: "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13" }' },
  "tenants.<tenant>.tokens[].sha256": { summary: "sha256 (hex) of the token; the token itself is never stored.", example: 'tenants:\n  acme:\n    tokens:\n      - { name: noc, role: viewer, sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" }' },
  "tenants.<tenant>.webhooks": { summary: "Signed HTTP POSTs of the tenant's events, delivered at least once, in commit order per webhook, across restarts (see events).", example: 'tenants:\n  acme:\n    webhooks:\n      - { url: "https://hooks.example/x", secret_env: ACME_HOOK_SECRET }' },
  "tenants.<tenant>.webhooks[].url": { summary: "http(s) URL the events are POSTed to. Redirects are not followed. Its queue (`state_dir/outbox/<tenant>/<hash of the url>`) follows the URL: changing it leaves the old queue to the dead letters.", example: 'tenants:\n  acme:\n    webhooks:\n      - { url: "https://hooks.example/x", secret_env: ACME_HOOK_SECRET }' },
  "tenants.<tenant>.webhooks[].secret_env": { summary: "Environment variable holding the signing secret (`X-Rosarchive-Signature-256`). One of secret_env and secret_file is required: webhooks are always signed.", example: 'tenants:\n  acme:\n    webhooks:\n      - { url: "https://hooks.example/x", secret_env: ACME_HOOK_SECRET }' },
  "tenants.<tenant>.webhooks[].secret_file": { summary: "A file holding the signing secret (read at each delivery; surrounding whitespace is ignored).", example: 'tenants:\n  acme:\n    webhooks:\n      - { url: "https://hooks.example/x", secret_file: /etc/rosarchive/acme-hook-secret }' },
  "tenants.<tenant>.webhooks[].events": { summary: "The events this webhook gets; default: all of them.", example: 'tenants:\n  acme:\n    webhooks:\n      - { url: "https://hooks.example/x", secret_env: ACME_HOOK_SECRET, events: [config.changed, device.blocked] }' },
  "tenants.<tenant>.devices": { summary: "The tenant's routers. A device added by a reload is scheduled at once; a removed one is no longer backed up (its history stays).", example: "tenants:\n  acme:\n    devices:\n      - { id: core-1, host: 10.0.0.1, group: fra }" },
  "tenants.<tenant>.devices[].id": { summary: "The device's id within the tenant (`^[a-z0-9][a-z0-9._-]{0,62}$`): its file name, URL segment and metric label.", example: "tenants:\n  acme:\n    devices:\n      - { id: core-1, host: 10.0.0.1 }" },
  "tenants.<tenant>.devices[].host": { summary: "Host name or address the service connects to over SSH.", example: "tenants:\n  acme:\n    devices:\n      - { id: core-1, host: core-1.mgmt.example.net }" },
  ...Object.fromEntries(Object.entries(deviceKeys("device")).map(([k, v]) => [`tenants.<tenant>.devices[].${k}`, v])),
};
