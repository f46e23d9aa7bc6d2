import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express from "express";
import { existsSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { checkEnvironment, ConfigError, LiveConfig, type Config } from "../config/index.js";
import { createLogger, createMetrics, type Logger, type Metrics } from "../observe/index.js";
import type { PipelineContext } from "../pipeline/index.js";
import { Scheduler, type SchedulerOptions } from "../scheduler/index.js";
import { AuditLog } from "../store/index.js";
import { apiDeps, createApp } from "../api/index.js";
import { DeniedTally } from "../api/denied-tally.js";
import { EventStreams } from "../api/event-streams.js";
import { GitProcessSlots } from "../api/git-slots.js";
import { createHttpServer } from "../api/http-server.js";
import { metricsRoute } from "../api/metrics-route.js";
import { buildContext } from "./build-context.js";
import { WebhookDeliverer, type EventBus, type EventSink } from "../notify/index.js";
import { inventoryApi } from "../api/inventory-api.js";
import { createNotifier } from "./outbox.js";
import { openInventory, runInventory, type RunningInventory } from "./start-inventory.js";
import { launchGitFrom, stopGitLauncher } from "../archive/index.js";
import { fileURLToPath } from "node:url";

export interface RunningService {
  readonly url: string;
  readonly ctx: PipelineContext;
  readonly scheduler: Scheduler;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly bus: EventBus;
  readonly inventory: RunningInventory;
  /** Puts a new config file in force (SIGHUP); rejects, keeping the old one, when its devices clash with an inventory source's. */
  reload(config: Config): Promise<void>;
  close(): Promise<void>;
}

/**
 * `serve` without the process edges: scheduler, API, git HTTP and metrics on
 * one listener. Tests and the demo start it in-process.
 */
export async function startService(config: Config, env: NodeJS.ProcessEnv, opts: { log?: Logger; scheduler?: SchedulerOptions; listen?: { host: string; port: number }; webhookBackoff?: (attempt: number) => number; webhookPollMs?: number } = {}): Promise<RunningService> {
  const log = opts.log ?? createLogger({ level: config.logLevel });
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
  const ctx = buildContext(live.source, env, {
    log,
    events: notifier.outbox,
    observe: {
      backup: (tenant: string, result: string, seconds: number) => {
        metrics.backups.inc({ tenant, result });
        metrics.backupDuration.observe(seconds);
      },
      commit: (tenant: string) => metrics.commits.inc({ tenant }),
      reseal: (tenant: string) => metrics.resealCommits.inc({ tenant }),
      inFlight: (d: number) => metrics.inFlight.inc(d),
      secretsMissing: (tenant: string) => metrics.exportsWithoutSecrets.inc({ tenant }),
    },
  });
  const denied = new DeniedTally({ audit, config: ctx.config, log });
  const streams = new EventStreams();
  const scheduler = new Scheduler(ctx, opts.scheduler ?? {});
  const inventory = runInventory(opened.service, { config, live, ctx, log, metrics, reloadScheduler: () => scheduler.reload() });

  const root = express();
  root.disable("x-powered-by");
  // Device-state gauge is computed at scrape time from the state files.
  root.get(
    "/metrics",
    metricsRoute(
      ctx.config,
      async () => {
        metrics.devices.reset();
        for (const tenant of ctx.config().tenants.values()) {
          const counts = new Map<string, number>([["never", 0], ["ok", 0], ["failing", 0], ["blocked", 0]]);
          for (const s of (await ctx.states.getMany(tenant.id, tenant.devices.map((d) => d.id))).values()) {
            counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
          }
          counts.set("retired", (await inventory.directory.retired(tenant.id)).length);
          for (const [state, n] of counts) metrics.devices.set({ tenant: tenant.id, state }, n);
        }
        return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
      },
    ),
  );
  root.use(
    createApp(apiDeps(ctx, {
      audit,
      inventory: inventoryApi(inventory),
      log,
      bus: notifier.bus,
      denied,
      streams,
      gitSlots: new GitProcessSlots(),
      metrics: {
        httpRequest: (route: string, status: number, seconds: number) => {
          metrics.httpRequests.inc({ route, status: String(status) });
          metrics.httpDuration.observe({ route }, seconds);
        },
      },
    })),
  );
  const listen = opts.listen ?? config.listen;
  const http = createHttpServer(root, config.limits);
  const server: Server = http.server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  live.onChange((next) => {
    http.applyLimits(next.limits);
    ctx.sshSessions.concurrency = next.schedule.concurrency;
    // A token or tenant gone from the config loses its open event streams now, not at its next reconnect.
    const ended = streams.revalidate(next);
    if (ended > 0) log.info({ event: "events.streams_revoked", streams: ended });
  });
  denied.start();
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  deliverer.start();
  await scheduler.start();
  opened.service.start();
  void inventory.retirer.sweep();
  // Warm each tenant's history index, stats cache and device states in the background: the first page is then as fast as the rest.
  for (const tenant of live.source().tenants.values()) {
    void ctx.states.getMany(tenant.id, tenant.devices.map((d) => d.id)).catch(() => {});
  }
  for (const tenant of config.tenants.keys()) {
    void ctx.repos
      .get(tenant)
      .then((repo) => Promise.all([repo.paths.ready(), repo.stats.load()]))
      .catch((err) => log.debug({ event: "history.index_failed", tenant, msg: (err as Error).message }));
  }
  log.info({ event: "serve.listening", url, tenants: config.tenants.size });
  return {
    url,
    ctx,
    scheduler,
    metrics,
    log,
    bus: notifier.bus,
    inventory,
    async reload(next) {
      // A file that passes check-config in an operator's shell may name env variables or files this process lacks.
      const problems = checkEnvironment(next, env, existsSync);
      if (problems.length > 0) {
        metrics.configReloads.inc({ result: "refused" });
        throw new ConfigError(problems);
      }
      try {
        // Its devices merged with the inventory's (refused when they clash), put in force, handed to the scheduler.
        await inventory.reload(next);
      } catch (err) {
        metrics.configReloads.inc({ result: "refused" });
        throw err;
      }
      metrics.configReloads.inc({ result: "ok" });
      log.info({ event: "config.reloaded", tenants: next.tenants.size });
    },
    async close() {
      await opened.service.stop();
      await scheduler.stop();
      streams.closeAll();
      await denied.stop();
      await inventory.retirer.idle();
      await deliverer.stop();
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
