import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { existsSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { checkEnvironment, ConfigError, LiveConfig, type Config, type DeviceConfig } from "../config/index.js";
import { createLogger, createMetrics, type Logger, type Metrics } from "../observe/index.js";
import type { PipelineContext } from "../pipeline/index.js";
import { Scheduler, type SchedulerOptions } from "../scheduler/index.js";
import { AuditLog, prepareStateDir, STATE_FORMAT } from "../store/index.js";
import { apiDeps, createApp } from "../api/index.js";
import { DeniedTally } from "../api/denied-tally.js";
import { EventStreams } from "../api/event-streams.js";
import { GitProcessSlots } from "../api/git-slots.js";
import { createHttpServer, type HttpServer } from "../api/http-server.js";
import { metricsRoute } from "../api/metrics-route.js";
import { buildContext } from "./build-context.js";
import { WebhookDeliverer, type EventBus, type EventSink } from "../notify/index.js";
import { inventoryApi } from "../api/inventory-api.js";
import { createNotifier } from "./outbox.js";
import { openInventory, runInventory, type RunningInventory } from "./start-inventory.js";
import type { RemoteCore } from "../remote/index.js";
import { PolicyRunner, PolicyStore, violationCounts } from "../policy/index.js";
import { plaintextWarning, readTlsFiles, type TlsFiles } from "./listen.js";
import { renderMetrics } from "./render-metrics.js";
import { launchGitFrom, stopGitLauncher, warmGitLauncher } from "../archive/index.js";
import { fileURLToPath } from "node:url";

export interface RunningService {
  readonly url: string;
  /** The root request handler: /metrics, then the API, git HTTP and the web UI. */
  readonly app: express.Express;
  readonly ctx: PipelineContext;
  readonly scheduler: Scheduler;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly bus: EventBus;
  readonly inventory: RunningInventory;
  readonly policy: PolicyRunner;
  /** Puts a new config file in force (SIGHUP); rejects, keeping the old one, when its devices clash with an inventory source's. */
  /** Set with a `nats:` block: jobs out, snapshots in, the collectors heard from. */
  readonly remote: RemoteCore | null;
  reload(config: Config): Promise<void>;
  close(): Promise<void>;
}

/**
 * `serve` without the process edges: scheduler, API, git HTTP and metrics on
 * one listener. Tests and the demo start it in-process.
 */
export async function startService(config: Config, env: NodeJS.ProcessEnv, opts: { log?: Logger; scheduler?: SchedulerOptions; listen?: { host: string; port: number }; webhookBackoff?: (attempt: number) => number; webhookPollMs?: number } = {}): Promise<RunningService> {
  const log = opts.log ?? createLogger({ level: config.logLevel });
  // An older state layout is migrated now, a newer one refused before anything reads it.
  const state = await prepareStateDir(config.stateDir);
  if (state.found !== null && state.found < STATE_FORMAT) log.info({ event: "state.migrated", from: state.found, to: STATE_FORMAT, files: state.migrated });
  // Read first: a missing or mismatched certificate refuses the start before anything runs.
  const tlsFiles = config.tls ? readTlsFiles(config.tls) : null;
  // Diffs and timeline pages run git from a small helper process: see runGitQuickly.
  launchGitFrom([fileURLToPath(new URL("./git-launcher.js", import.meta.url))]);
  const metrics = createMetrics();
  const audit = new AuditLog(config.stateDir, {
    segmentBytes: config.limits.auditSegmentBytes,
    onNotice: (event, facts) => log.info({ event, ...facts }),
    onBatch: (tenant, entries, ms) => log.debug({ event: "audit.batch", tenant, entries, ms }),
  });
  for (const tenant of config.tenants.keys()) await audit.migrate(tenant);
  // Inventory events go to the outbox, made below; none is emitted before the service starts.
  const events: EventSink = { emit: (e) => notifier.outbox.emit(e) };
  // The config file's devices merged with each inventory source's last good list (persisted: no wait for the sources).
  const opened = await openInventory(config, { env, log, events, audit, metrics, ids: randomUUID, clock: Date.now });
  // The one owner of the live config: a reload replaces it here, everything else reads `live.source`.
  const live = new LiveConfig(opened.merged);
  const deliverer = new WebhookDeliverer({
    stateDir: config.stateDir,
    config: live.source,
    env,
    log,
    fetch: globalThis.fetch,
    onResult: (result) => metrics.webhookDeliveries.inc({ result }),
    onDepth: (n) => metrics.outboxDepth.set(n),
    ...(opts.webhookBackoff && { backoff: opts.webhookBackoff }),
    pollMs: opts.webhookPollMs ?? 1000,
  });
  const notifier = createNotifier(live.source, env, log, () => deliverer.wake(), (result) => metrics.hookRuns.inc({ result }));
  // Remote collection: connect and set up JetStream before the scheduler publishes its first job.
  // Loaded only when configured: the NATS client is some MB a service without collectors never uses.
  const remote = config.nats ? new (await import("../remote/index.js")).RemoteCore(live.source, env, log, metrics.registry) : null;
  await remote?.start();
  // Policy checks run after each commit (through ctx.observe.committed), bound once the context exists.
  let policy: PolicyRunner | null = null;
  const ctx = buildContext(live.source, env, {
    ...(remote && {
      remote: (c: PipelineContext) => {
        remote.attach(c);
        return remote;
      },
    }),
    log,
    events: notifier.outbox,
    observe: pipelineObserver(metrics, (device) => policy?.committed(device)),
  });
  const policyStore = new PolicyStore(config.stateDir);
  policy = new PolicyRunner({ config: live.source, repos: ctx.repos, store: policyStore, events: notifier.outbox, log, clock: ctx.clock, ids: ctx.ids, sectionOf: ctx.platform.sectionOf });
  const policyRunner = policy;
  const denied = new DeniedTally({ audit, config: ctx.config, log });
  const streams = new EventStreams();
  // Collectors on this machine read the secret index key from the core's state_dir: create it now, not at the first local seal.
  if (remote) await ctx.secrets.indexKey();
  const scheduler = new Scheduler(ctx, opts.scheduler ?? {});
  const inventory = runInventory(opened.service, { config, live, ctx, log, metrics, reloadScheduler: () => scheduler.reload() });

  const root = express();
  root.disable("x-powered-by");
  // The state gauges (devices by state, per-device freshness, dead letters, scheduler lag) are computed at scrape time.
  root.get("/metrics", metricsRoute(ctx.config, () => scrape({ ctx, metrics, scheduler, inventory, policyStore })));
  root.use(
    createApp(apiDeps(ctx, {
      audit,
      inventory: inventoryApi(inventory),
      log,
      bus: notifier.bus,
      denied,
      streams,
      gitSlots: new GitProcessSlots(),
      schedule: {
        plannedRun: (tenant, device) => scheduler.plannedRun(tenant, device),
        runNow: (tenant, group) => scheduler.runNow(tenant, group === null ? undefined : (d) => d.group === group),
      },
      ...(remote && { collectors: remote.registry }),
      policy: { store: policyStore, runner: policyRunner },
      metrics: {
        httpRequest: (route: string, status: number, seconds: number) => {
          metrics.httpRequests.inc({ route, status: String(status) });
          metrics.httpDuration.observe({ route }, seconds);
        },
      },
    })),
  );
  const listen = opts.listen ?? config.listen;
  const http = createHttpServer(root, config.limits, { tls: tlsFiles, trustedProxies: () => ctx.config().trustedProxies });
  const server: Server = http.server;
  await listenOn(server, listen);
  // Results made before a crash, a reload or a change of checks are brought up to date in the background.
  const reconcilePolicy = (tenants: Iterable<string>) => {
    for (const tenant of tenants) {
      if ((live.current().tenants.get(tenant)?.policy.length ?? 0) === 0) continue;
      void policyRunner.reconcile(tenant).catch((err) => log.error({ event: "policy.failed", tenant, msg: (err as Error).message }));
    }
  };
  live.onChange((next) => {
    reconcilePolicy(next.tenants.keys());
    http.applyLimits(next.limits);
    ctx.sshSessions.concurrency = next.schedule.concurrency;
    // A token or tenant gone from the config loses its open event streams now, not at its next reconnect.
    const ended = streams.revalidate(next);
    if (ended > 0) log.info({ event: "events.streams_revoked", streams: ended });
  });
  denied.start();
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const url = `${http.secure ? "https" : "http"}://${host}:${addr.port}`;
  const plaintext = plaintextWarning(config);
  if (plaintext) log.warn({ event: "serve.plaintext", msg: plaintext });
  deliverer.start();
  // Hook runs a previous process queued and did not finish (killed, crashed) run first.
  await notifier.hooks.resume();
  await scheduler.start();
  opened.service.start();
  void inventory.retirer.sweep();
  warmCaches(ctx, log);
  log.info({ event: "serve.listening", url, tenants: config.tenants.size, tls: http.secure });
  return {
    url,
    app: root,
    ctx,
    scheduler,
    metrics,
    log,
    bus: notifier.bus,
    inventory,
    remote,
    policy: policyRunner,
    reload: (next) => reloadService(next, { env, http, inventory, remote, live, metrics, log }),
    async close() {
      await opened.service.stop();
      await scheduler.stop();
      streams.closeAll();
      await denied.stop();
      await inventory.retirer.idle();
      await remote?.close();
      await deliverer.stop();
      await policyRunner.idle();
      await notifier.hooks.idle();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      await ctx.repos.closeAll();
      ctx.states.close();
      stopGitLauncher();
      await audit.flush();
    },
  };
}

/** What the pipeline reports, as metrics; `committed` feeds the policy checks. */
function pipelineObserver(metrics: Metrics, committed: (device: DeviceConfig) => void) {
  return {
    backup: (tenant: string, result: string, seconds: number) => {
      metrics.backups.inc({ tenant, result });
      metrics.backupDuration.observe(seconds);
    },
    commit: (tenant: string) => metrics.commits.inc({ tenant }),
    reseal: (tenant: string) => metrics.resealCommits.inc({ tenant }),
    inFlight: (d: number) => metrics.inFlight.inc(d),
    secretsMissing: (tenant: string) => metrics.exportsWithoutSecrets.inc({ tenant }),
    committed,
  };
}

/** One scrape of /metrics: the state gauges (devices by state, per-device freshness, dead letters, scheduler lag) are computed now. */
function scrape(p: { ctx: PipelineContext; metrics: Metrics; scheduler: Scheduler; inventory: RunningInventory; policyStore: PolicyStore }): ReturnType<typeof renderMetrics> {
  const { ctx, metrics } = p;
  return renderMetrics({
    config: ctx.config,
    metrics,
    states: ctx.states,
    retired: (t) => p.inventory.directory.retired(t),
    schedulerLagMs: () => p.scheduler.lagMs(),
    // One series per policy check (not per device): devices failing it now.
    more: async () => {
      metrics.policyViolations.reset();
      for (const tenant of ctx.config().tenants.values()) {
        for (const [check, n] of await violationCounts(p.policyStore, tenant)) metrics.policyViolations.set({ tenant: tenant.id, check }, n);
      }
    },
  });
}

function listenOn(server: Server, listen: { host: string; port: number }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Each tenant's history index, stats cache and device states, loaded in the background: the first page is then as fast as the rest. */
function warmCaches(ctx: PipelineContext, log: Logger): void {
  for (const tenant of ctx.config().tenants.values()) {
    void ctx.states.getMany(tenant.id, tenant.devices.map((d) => d.id)).catch(() => {});
    void ctx.repos
      .get(tenant.id)
      // The object reader's and the diff's git processes are started (and the pack opened) now, not by the first page.
      .then((repo) => Promise.all([repo.paths.ready(), repo.stats.load(), repo.readObject("refs/heads/main"), repo.patches.warm()]))
      .then(() => warmGitLauncher())
      .catch((err) => log.debug({ event: "history.index_failed", tenant: tenant.id, msg: (err as Error).message }));
  }
}

/**
 * SIGHUP: the new file is checked against this process's environment and
 * certificate, merged with the inventory and put in force, or refused whole
 * (the old config stays, `rosarchive_config_reloads_total{result="refused"}`).
 */
async function reloadService(
  next: Config,
  s: { env: NodeJS.ProcessEnv; http: HttpServer; inventory: RunningInventory; remote: RemoteCore | null; live: LiveConfig; metrics: Metrics; log: Logger },
): Promise<void> {
  const { http, metrics, log } = s;
  const refused = (err: unknown): never => {
    metrics.configReloads.inc({ result: "refused" });
    throw err;
  };
  // A file that passes check-config in an operator's shell may name env variables or files this process lacks.
  const problems = checkEnvironment(next, s.env, existsSync);
  if (problems.length > 0) refused(new ConfigError(problems));
  // The certificate is re-read on every reload (a renewed file under the same name); a bad one refuses the reload whole.
  let nextTls: TlsFiles | null = null;
  if (next.tls && http.secure) {
    try {
      nextTls = readTlsFiles(next.tls);
    } catch (err) {
      refused(err);
    }
  }
  // Its devices merged with the inventory's (refused when they clash), put in force, handed to the scheduler.
  await s.inventory.reload(next).catch(refused);
  if (nextTls) http.setCertificate(nextTls);
  if ((next.tls !== null) !== http.secure) {
    log.warn({ event: "config.restart_needed", key: "tls", msg: `tls is ${next.tls ? "set" : "removed"} in the file, but turning TLS on or off needs a restart; the listener stays ${http.secure ? "https" : "http"}` });
  }
  metrics.configReloads.inc({ result: "ok" });
  await s.remote?.reload(s.live.source()).catch((err) => log.error({ event: "remote.reload_failed", msg: (err as Error).message }));
  log.info({ event: "config.reloaded", tenants: next.tenants.size });
}
