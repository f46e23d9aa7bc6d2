import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { apiDeps, createApp } from "../../src/api/index.js";
import { DeniedTally } from "../../src/api/denied-tally.js";
import { LiveConfig, loadConfig, type Config } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { createPipelineContext, importExport, type PipelineContext } from "../../src/pipeline/index.js";
import { NO_EVENTS, type EventSink } from "../../src/notify/index.js";
import { PolicyRunner, PolicyStore } from "../../src/policy/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { RUN_TIMING } from "../../src/scheduler/index.js";
import { generateIdentityPair } from "../../src/seal/index.js";
import { AuditLog } from "../../src/store/index.js";
import { FIXTURES, tempDir } from "./tmp.js";

export const TOKEN_NAMES = ["viewer", "operator", "admin"] as const;

export interface ApiServer {
  readonly url: string;
  readonly dir: string;
  readonly ctx: PipelineContext;
  readonly audit: AuditLog;
  readonly config: Config;
  /** The live config the app and pipeline read (reload replaces it). */
  readonly live: LiveConfig;
  /** Tokens of tenant `acme` by role, and `other`'s viewer token. */
  readonly tokens: { viewer: string; operator: string; admin: string; other: string };
  readonly identity: string;
  /** Writes the denied requests counted so far to the audit log (the service does it on a timer). */
  flushDenied(): Promise<void>;
  /** Evaluates the policy checks after every commit (as serve does), and on demand. */
  readonly policy: PolicyRunner;
  /** Writes a new config text and swaps it into the live context (as SIGHUP does). */
  reload(extraYaml?: string): void;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  /** Devices of `acme` (ids; `core-1` in group `fra` and `edge-2` by default). */
  readonly devices?: ReadonlyArray<{ id: string; group?: string; host?: string; port?: number; extra?: string }>;
  readonly identityFile?: boolean;
  readonly limits?: string;
  readonly now?: () => number;
  /** YAML lines added to tenant `acme` (indented four spaces), e.g. its policy or compare ignore rules. */
  readonly acme?: string;
  /** YAML added at the top level (e.g. a global `compare:`). */
  readonly top?: string;
  /** The pipeline's clock: commit times (searches at a date). */
  readonly clock?: () => number;
  /** Where events go (the policy events too); none by default. */
  readonly events?: EventSink;
}

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const token = () => randomBytes(24).toString("base64url");

/**
 * A real app on 127.0.0.1:0 over a temp data/state dir: tenants `acme`
 * (viewer, operator, admin tokens) and `other` (viewer token, device `core-1`
 * too, so cross-tenant tests hit a device that exists there).
 */
export async function startApi(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const dir = tempDir("rosarchive-api-");
  const pair = await generateIdentityPair();
  const identityPath = path.join(dir, "identity.txt");
  writeFileSync(identityPath, `# test identity\n${pair.identity}\n`, { mode: 0o600 });
  const tokens = { viewer: token(), operator: token(), admin: token(), other: token() };
  const devices = opts.devices ?? [{ id: "core-1", group: "fra" }, { id: "edge-2" }];
  const text = (extra = "") => `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
encryption:
  recipients: [${pair.recipient}]
  identity_file: ${opts.identityFile === false ? "null" : identityPath}
schedule:
  connect_timeout: 2s
  command_timeout: 5s
limits:
  max_request_body_bytes: 65536
${opts.limits ?? ""}
${opts.top ?? ""}
defaults:
  username: backup
  password: not-a-real-secret
tenants:
  acme:
    inventory:
      - { type: file, name: cmdb, path: ./cmdb.csv }
    tokens:
${TOKEN_NAMES.map((r) => `      - { name: ${r}-token, role: ${r}, sha256: "${sha(tokens[r])}" }`).join("\n")}
    devices:
${devices.map((d) => `      - { id: ${d.id}, host: ${d.host ?? "127.0.0.1"}, port: ${d.port ?? 1}${d.group ? `, group: ${d.group}` : ""}${d.extra ? `, ${d.extra}` : ""} }`).join("\n")}
${opts.acme ?? ""}
  other:
    tokens:
      - { name: other-viewer, role: viewer, sha256: "${sha(tokens.other)}" }
    devices:
      - { id: core-1, host: 127.0.0.1, port: 1 }
${extra}`;
  const config = loadConfig(text(), { baseDir: dir });
  const live = new LiveConfig(config);
  const events = opts.events ?? NO_EVENTS;
  let policy: PolicyRunner | null = null;
  const ctx = createPipelineContext({
    config: live.source,
    platform: ROUTEROS,
    timing: RUN_TIMING,
    log: silentLogger(),
    events,
    env: {},
    fsync: false,
    ...(opts.clock && { clock: opts.clock }),
    observe: { committed: (device) => policy?.committed(device) },
  });
  const store = new PolicyStore(config.stateDir);
  policy = new PolicyRunner({ config: live.source, repos: ctx.repos, store, events, log: silentLogger(), clock: ctx.clock, ids: ctx.ids, sectionOf: ROUTEROS.sectionOf });
  const runner = policy;
  const audit = new AuditLog(config.stateDir);
  const denied = new DeniedTally({ audit, config: ctx.config, log: silentLogger() });
  const app = createApp(apiDeps(ctx, { audit, denied, log: silentLogger(), policy: { store, runner }, ...(opts.now && { now: opts.now }) }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    ctx,
    audit,
    config,
    live,
    tokens,
    identity: pair.identity,
    flushDenied: () => denied.flush(),
    policy: runner,
    reload(extra) {
      live.replace(loadConfig(text(extra), { baseDir: dir }));
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runner.idle();
      await ctx.repos.closeAll();
      await audit.flush();
    },
  };
}

/** Archives a fixture export (test/fixtures/routeros) for `acme/<device>` through the real import path. */
export async function importFixture(api: ApiServer, device: string, fixture: string, collectedAt: string, tenant = "acme"): Promise<string> {
  const d = api.ctx.config().tenants.get(tenant)!.deviceById.get(device)!;
  const r = await importExport(api.ctx, d, path.join(FIXTURES, fixture), Date.parse(collectedAt));
  return r.commit!;
}

/** Archives an export given as text (written to a temp file first). */
export async function importText(api: ApiServer, device: string, text: string, collectedAt: string, tenant = "acme"): Promise<{ commit: string; changed: boolean }> {
  const file = path.join(api.dir, `import-${randomBytes(4).toString("hex")}.rsc`);
  writeFileSync(file, text);
  const d = api.ctx.config().tenants.get(tenant)!.deviceById.get(device)!;
  const r = await importExport(api.ctx, d, file, Date.parse(collectedAt));
  return { commit: r.commit!, changed: r.changed };
}

export function bearer(t: string): Record<string, string> {
  return { authorization: `Bearer ${t}` };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}
