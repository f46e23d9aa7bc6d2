import { randomUUID } from "node:crypto";
import path from "node:path";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { jetstream, type ConsumerMessages, type JetStreamClient, type JsMsg } from "@nats-io/jetstream";
import PQueue from "p-queue";
import client from "prom-client";
import type { Trigger } from "../archive/index.js";
import { asRosarchiveError, ERROR_STATUS, RosarchiveError, type ErrorCode } from "../common/index.js";
import type { Config, DeviceConfig } from "../config/index.js";
import { normalize } from "../normalize/index.js";
import type { Logger } from "../observe/index.js";
import { archiveSealed, recipientsOf, recordFailure, recordSuccess, resultCode, type PipelineContext, type RemoteBackup, type SnapshotResult } from "../pipeline/index.js";
import type { DeviceState } from "../store/index.js";
import { readOrCreateKeyFile } from "../store/index.js";
import { acceptSealed } from "./accept-sealed.js";
import { CollectorRegistry } from "./collector-registry.js";
import { connectNats } from "./connect-nats.js";
import { jobMac, verifyJobMac } from "./job-mac.js";
import { ProcessedSnapshots } from "./processed-snapshots.js";
import { decodeMessage, encodeMessage, heartbeatSchema, PROTOCOL_VERSION, snapshotSchema, type JobMessage, type SnapshotMessage } from "./protocol.js";
import { setupStreams } from "./setup-streams.js";
import { lastToken, natsNames, type NatsNames } from "./subjects.js";

/** A site as a NATS subject token: no '.', '*', '>' or blank. */
const SUBJECT_TOKEN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Snapshots archived at once: enough for the tenant writers to batch, bounded. */
const SNAPSHOT_CONCURRENCY = 64;
/** A manual trigger's job waits at most this long in the queue (the operator is waiting). */
const MANUAL_QUEUE_MS = 120_000;

type Outcome = { ok: SnapshotResult } | { error: RosarchiveError };

interface Waiter {
  resolve(o: Outcome): void;
}

export function remoteMetrics(registry: client.Registry, collectors: () => Map<string, number>) {
  const jobsPublished = new client.Counter({ name: "rosarchive_remote_jobs_published_total", help: "Backup jobs published to collectors, by site", labelNames: ["site"], registers: [registry] });
  const jobsTimedOut = new client.Counter({ name: "rosarchive_remote_jobs_timed_out_total", help: "Jobs whose snapshot did not come back in time, by site", labelNames: ["site"], registers: [registry] });
  const snapshots = new client.Counter({ name: "rosarchive_remote_snapshots_total", help: "Snapshots processed by outcome (changed, unchanged, failed, duplicate, stale)", labelNames: ["outcome"], registers: [registry] });
  const refused = new client.Counter({ name: "rosarchive_remote_snapshots_refused_total", help: "Snapshots refused: malformed, or for a job, device or site the core did not send out", labelNames: ["reason"], registers: [registry] });
  new client.Gauge({
    name: "rosarchive_collectors",
    help: "Live collectors by site",
    labelNames: ["site"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [site, n] of collectors()) this.set({ site }, n);
    },
  });
  return { jobsPublished, jobsTimedOut, snapshots, refused };
}

/**
 * The core's side of remote collection: publishes each backup as a job on
 * its site's work queue, consumes snapshots and failures, archives them with
 * the one-process semantics (dedup, one commit per changed snapshot, outbox
 * before ack) and keeps the list of collectors it hears from.
 */
export class RemoteCore implements RemoteBackup {
  readonly registry: CollectorRegistry;
  private readonly names: NatsNames;
  private readonly waiters = new Map<string, Waiter>();
  private readonly processing = new PQueue({ concurrency: SNAPSHOT_CONCURRENCY });
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly processed: ProcessedSnapshots;
  private readonly metrics: ReturnType<typeof remoteMetrics>;
  private ctx: PipelineContext | null = null;
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private jobKey: Buffer | null = null;
  private heartbeats: Subscription | null = null;
  private messages: ConsumerMessages | null = null;
  private consuming: Promise<void> | null = null;
  private stopping = false;
  /** Sites whose job consumer exists (inventory sources may bring new sites at any time). */
  private readonly sites = new Set<string>();

  constructor(
    private readonly config: () => Config,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    registry: client.Registry,
    clock: () => number = Date.now,
  ) {
    const nats = config().nats!;
    this.names = natsNames(nats.streamPrefix);
    this.registry = new CollectorRegistry(() => this.config().nats?.collectorTtlMs ?? nats.collectorTtlMs, clock);
    this.processed = new ProcessedSnapshots(config().stateDir);
    this.metrics = remoteMetrics(registry, () => {
      const m = new Map<string, number>();
      for (const c of this.registry.list()) if (c.live) m.set(c.site, (m.get(c.site) ?? 0) + 1);
      return m;
    });
  }

  /** Connects, sets up streams and consumers, listens for heartbeats. */
  async start(): Promise<void> {
    const config = this.config();
    const nats = config.nats!;
    this.jobKey = await readOrCreateKeyFile(path.join(config.stateDir, "remote-job.key"));
    this.nc = await connectNats(nats, this.env, { name: "rosarchive-core" });
    this.watchConnection(this.nc);
    this.js = jetstream(this.nc, { timeout: 10_000 });
    await setupStreams(this.nc, nats, this.names, sitesOf(config));
    for (const site of sitesOf(config)) this.sites.add(site);
    this.heartbeats = this.nc.subscribe(this.names.heartbeatsAll, {
      callback: (err, msg) => {
        if (err) return;
        const parts = msg.subject.split(".");
        const site = parts[parts.length - 2] ?? "";
        let beat: unknown;
        try {
          beat = JSON.parse(msg.string());
        } catch {
          return;
        }
        const parsed = heartbeatSchema.safeParse(beat);
        if (!parsed.success || parsed.data.id !== parts[parts.length - 1]) return;
        this.registry.heard(site, parsed.data);
      },
    });
    this.log.info({ event: "remote.connected", servers: nats.servers, jobs: this.names.jobsStream, snapshots: this.names.snapshotsStream });
  }

  private watchConnection(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect" || s.type === "reconnect") this.log.warn({ event: `remote.nats_${s.type}`, server: (s as { server?: string }).server });
      }
    })().catch(() => {});
  }

  /** Wires the pipeline (archive, states, events) and starts consuming snapshots. */
  attach(ctx: PipelineContext): void {
    this.ctx = ctx;
    this.consuming = this.consumeLoop();
  }

  /** New sites after a reload get their job consumer. */
  async reload(config: Config): Promise<void> {
    if (!this.nc || !config.nats) return;
    await setupStreams(this.nc, config.nats, this.names, sitesOf(config));
    for (const site of sitesOf(config)) this.sites.add(site);
  }

  /** The job consumer of a site first seen now (a device from an inventory sync). */
  private async ensureSite(site: string): Promise<void> {
    if (this.sites.has(site)) return;
    if (!SUBJECT_TOKEN.test(site)) {
      throw new RosarchiveError("bad_parameter", `site ${JSON.stringify(site)} cannot name a NATS subject (letters, digits, '-' and '_' only, no '.'): rename the site for remote collection`);
    }
    await setupStreams(this.nc!, this.config().nats!, this.names, [site]);
    this.sites.add(site);
  }

  // ---- publishing jobs ---------------------------------------------------

  async backup(device: DeviceConfig, trigger: Trigger, signal?: AbortSignal): Promise<SnapshotResult> {
    const ctx = this.ctx!;
    const nats = ctx.config().nats!;
    const { tenant, id } = device;
    const started = ctx.clock();
    const before = await ctx.states.get(tenant, id);
    ctx.observe?.inFlight?.(1);
    try {
      if (before.status === "blocked" && before.last_error?.code === "host_key_mismatch") {
        throw new RosarchiveError("host_key_mismatch", `${tenant}/${id} is blocked (host_key_mismatch): run \`rosarchive hostkey accept\` after checking the new key`, { blocked: true });
      }
      if (!this.registry.siteLive(device.site)) {
        throw new RosarchiveError("no_collector", `no live collector serves site ${device.site}: start \`rosarchive collector --site ${device.site}\` on a host that reaches ${device.host}`);
      }
      await this.ensureSite(device.site);
      const queueMs = trigger === "manual" ? Math.min(nats.jobDeadlineMs, MANUAL_QUEUE_MS) : nats.jobDeadlineMs;
      const job = await this.buildJob(device, before, trigger === "manual" ? "manual" : "scheduled", started, queueMs);
      const waitMs = queueMs + ctx.config().schedule.connectTimeoutMs + ctx.config().schedule.commandTimeoutMs + 2 * nats.ackWaitMs + 30_000;
      const outcome = this.waitFor(job.job, waitMs, signal, device.site);
      try {
        await this.js!.publish(this.names.jobSubject(device.site), await encodeMessage(job), { msgID: job.job, timeout: 10_000 });
      } catch (err) {
        this.waiters.delete(job.job);
        throw new RosarchiveError("error", `cannot queue the job on NATS (${(err as Error).message}); it is retried with the backoff`);
      }
      this.metrics.jobsPublished.inc({ site: device.site });
      ctx.log.debug({ event: "remote.job_published", tenant, device: id, site: device.site, job: job.job, trigger });
      const o = await outcome;
      if ("error" in o) throw o.error;
      return o.ok;
    } catch (raw) {
      const err = asRosarchiveError(raw);
      if (!err.data.recorded) {
        if (!err.data.blocked) await recordFailure(ctx, { device, before, error: err, startedMs: started, trigger });
        ctx.observe?.backup?.(tenant, resultCode(err.code), (ctx.clock() - started) / 1000);
        ctx.log.warn({ event: "backup.failed", tenant, device: id, code: err.code, msg: err.message, ms: ctx.clock() - started, trigger, site: device.site });
      }
      throw err;
    } finally {
      ctx.observe?.inFlight?.(-1);
    }
  }

  private async buildJob(device: DeviceConfig, before: DeviceState, trigger: "scheduled" | "manual", issuedAt: number, queueMs: number): Promise<JobMessage> {
    const ctx = this.ctx!;
    const identity = { job: randomUUID(), tenant: device.tenant, device: device.id, site: device.site, trigger, issued_at: issuedAt };
    return {
      v: PROTOCOL_VERSION,
      ...identity,
      host: device.host,
      port: device.port,
      pinned_fingerprint: before.host_key,
      known_version: before.routeros_version,
      blocked_credentials: before.status === "blocked" && before.last_error?.code === "auth_failed" ? before.blocked_credentials : null,
      previous_index: await ctx.secrets.get(device.tenant, device.id),
      sensitive: jobExtensions(ctx.config().sensitive),
      deadline: issuedAt + queueMs,
      mac: jobMac(this.jobKey!, identity),
    };
  }

  private waitFor(job: string, ms: number, signal: AbortSignal | undefined, site: string): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const done = (o: Outcome) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(job);
        resolve(o);
      };
      const timer = setTimeout(() => {
        this.metrics.jobsTimedOut.inc({ site });
        done({ error: new RosarchiveError("timeout", `no snapshot came back from site ${site} within ${Math.round(ms / 1000)} s: is a collector of that site running and reaching the device?`) });
      }, ms);
      timer.unref?.();
      // The core is stopping: the snapshot, when it comes, is archived at the next start.
      const onAbort = () => done({ error: new RosarchiveError("timeout", "the service is stopping; the job's snapshot is archived when it arrives", { recorded: true }) });
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.set(job, { resolve: done });
    });
  }

  // ---- consuming snapshots -----------------------------------------------

  private async consumeLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        const consumer = await this.js!.consumers.get(this.names.snapshotsStream, this.names.snapshotConsumer);
        const messages = await consumer.consume({ max_messages: SNAPSHOT_CONCURRENCY });
        this.messages = messages;
        void (async () => {
          for await (const s of messages.status()) {
            // A restarted server forgets this pull: start a new one.
            if (s.type === "heartbeats_missed" && s.count >= 2) messages.stop();
          }
        })().catch(() => {});
        for await (const m of messages) {
          void this.processing.add(() => this.handle(m));
          if (this.processing.size >= SNAPSHOT_CONCURRENCY) await this.processing.onSizeLessThan(SNAPSHOT_CONCURRENCY);
        }
      } catch (err) {
        if (this.stopping) break;
        this.log.warn({ event: "remote.consume_failed", msg: (err as Error).message });
      }
      if (!this.stopping) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private refuse(m: JsMsg, reason: string, facts: Record<string, unknown>): void {
    m.term();
    this.metrics.refused.inc({ reason });
    this.log.warn({ event: "snapshot.refused", reason, subject: m.subject, ...facts });
  }

  private async handle(m: JsMsg): Promise<void> {
    const ctx = this.ctx!;
    const site = lastToken(m.subject);
    const decoded = await decodeMessage(snapshotSchema, m.data, 2 * ctx.config().limits.maxExportBytes + 16 * 1024 * 1024);
    if (!decoded.ok) return this.refuse(m, "malformed", { site, why: decoded.reason });
    const s = decoded.value;
    const facts = { site, tenant: s.tenant, device: s.device, job: s.job, collector: s.collector };
    if (s.site !== site) return this.refuse(m, "site_mismatch", facts);
    if (!verifyJobMac(this.jobKey!, s, s.mac)) return this.refuse(m, "unknown_job", facts);
    const device = ctx.config().tenants.get(s.tenant)?.deviceById.get(s.device);
    if (!device) return this.refuse(m, "unknown_device", facts);

    const ackWait = ctx.config().nats!.ackWaitMs;
    const working = setInterval(() => m.working(), Math.max(500, Math.floor(ackWait / 3)));
    const key = `${s.tenant}/${s.device}`;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const run = prev.then(() => this.archive(m, s, device));
    const tail = run.catch(() => {});
    this.chains.set(key, tail);
    try {
      await run;
    } catch (err) {
      // Not the snapshot's fault (disk, git): JetStream delivers it again.
      this.log.error({ event: "snapshot.process_failed", ...facts, msg: (err as Error).message });
      m.nak(5000);
    } finally {
      clearInterval(working);
      if (this.chains.get(key) === tail) this.chains.delete(key);
    }
  }

  private async archive(m: JsMsg, s: SnapshotMessage, device: DeviceConfig): Promise<void> {
    const ctx = this.ctx!;
    const { tenant, id } = device;
    if (await this.processed.has(tenant, s.job)) {
      m.ack();
      this.metrics.snapshots.inc({ outcome: "duplicate" });
      ctx.log.debug({ event: "snapshot.duplicate", tenant, device: id, job: s.job });
      return;
    }
    if (s.issued_at < (await this.processed.newestFor(tenant, id))) {
      // An older job's snapshot after a newer one was archived: committing it would move the device back.
      await this.processed.add(tenant, s.job, s.issued_at, id);
      m.ack();
      this.metrics.snapshots.inc({ outcome: "stale" });
      ctx.log.info({ event: "snapshot.stale", tenant, device: id, job: s.job, msg: "a newer job of this device was already archived" });
      this.settle(s.job, { error: new RosarchiveError("timeout", "a newer backup of this device finished first", { recorded: true }) });
      return;
    }
    const started = s.issued_at;
    await this.processed.begin(tenant, s.job, s.issued_at, id);
    const before = await ctx.states.get(tenant, id);
    let outcome: Outcome;
    if (s.outcome === "ok") {
      try {
        const result = await this.commit(s, device, before);
        await recordSuccess(ctx, { device, before, result, version: s.version, fingerprint: s.fingerprint, startedMs: started, secretsMissing: result.secretsMissing });
        if (result.secretsMissing) ctx.observe?.secretsMissing?.(tenant);
        outcome = { ok: result };
      } catch (raw) {
        const err = asRosarchiveError(raw);
        if (err.code !== "invalid_output" && err.code !== "host_key_mismatch") throw err;
        outcome = { error: err };
      }
    } else {
      outcome = { error: errorOf(s) };
    }
    const seconds = (ctx.clock() - started) / 1000;
    if ("ok" in outcome) {
      ctx.observe?.backup?.(tenant, outcome.ok.result, seconds);
      this.metrics.snapshots.inc({ outcome: outcome.ok.result });
      ctx.log.info({ event: "backup.done", tenant, device: id, result: outcome.ok.result, commit: outcome.ok.commit, ms: ctx.clock() - started, trigger: s.trigger, site: s.site, collector: s.collector, job: s.job });
    } else {
      if (!outcome.error.data.blocked) await recordFailure(ctx, { device, before, error: outcome.error, startedMs: started, trigger: s.trigger });
      ctx.observe?.backup?.(tenant, resultCode(outcome.error.code), seconds);
      this.metrics.snapshots.inc({ outcome: "failed" });
      ctx.log.warn({ event: "backup.failed", tenant, device: id, code: outcome.error.code, msg: outcome.error.message, trigger: s.trigger, site: s.site, collector: s.collector, job: s.job });
      outcome = { error: new RosarchiveError(outcome.error.code, outcome.error.message, { ...outcome.error.data, recorded: true }) };
    }
    await this.processed.add(tenant, s.job, s.issued_at, id);
    m.ack();
    this.settle(s.job, outcome);
  }

  private settle(job: string, o: Outcome): void {
    this.waiters.get(job)?.resolve(o);
  }

  /** A sealed snapshot into the archive: checks, the previous ciphertexts, the index first, then the commit and its event. */
  private async commit(s: Extract<SnapshotMessage, { outcome: "ok" }>, device: DeviceConfig, before: DeviceState): Promise<SnapshotResult & { version: string; resealed: boolean; secretsMissing: number }> {
    const ctx = this.ctx!;
    if (before.host_key && s.fingerprint !== before.host_key) {
      throw new RosarchiveError("host_key_mismatch", `${device.host}:${device.port} presented ${s.fingerprint}, pinned ${before.host_key}; the collector should have stopped before authentication`, {
        expected_fingerprint: before.host_key,
        presented_fingerprint: s.fingerprint,
      });
    }
    if (Buffer.byteLength(s.text, "utf8") > 2 * ctx.config().limits.maxExportBytes) throw new RosarchiveError("invalid_output", "the snapshot is larger than twice limits.max_export_bytes; nothing archived");
    if (!ctx.platform.hasMenuLine(s.text)) throw new RosarchiveError("invalid_output", "the snapshot holds no menu line; nothing archived");
    // The collector normalized it: normalizing again must change nothing.
    if (normalize(s.text, ctx.platform) !== s.text) throw new RosarchiveError("invalid_output", "the snapshot is not in normalized form (collector of another version?); nothing archived");
    const previous = await ctx.secrets.state(device.tenant, device.id);
    const accepted = acceptSealed(s.text, s.index, previous.index);
    // Values whose ciphertext the core did not hold: the collector sealed them anew (changed secrets, new recipients).
    const fresh = Object.keys(accepted.index).filter((tag) => previous.index[tag] === undefined).length;
    const collectedAtMs = Math.min(Math.max(s.collected_at, s.issued_at), ctx.clock());
    return archiveSealed(ctx, { device, text: accepted.text, trigger: s.trigger, collectedAtMs, version: s.version }, {
      version: s.version,
      previous,
      sealed: { text: accepted.text, index: accepted.index, sealed: s.sealed_values, fresh, fingerprint: s.plaintext_fingerprint },
      recipients: recipientsOf(ctx.config(), device.tenant),
    });
  }

  /** Stops consuming, lets running archives finish, drains the connection. */
  async close(): Promise<void> {
    this.stopping = true;
    this.messages?.stop();
    await this.consuming?.catch(() => {});
    await this.processing.onIdle();
    for (const [job, w] of this.waiters) {
      w.resolve({ error: new RosarchiveError("timeout", "the service is stopping; the job's snapshot is archived when it arrives", { recorded: true }) });
      this.waiters.delete(job);
    }
    this.heartbeats?.unsubscribe();
    await this.nc?.drain().catch(() => {});
  }
}

/** The core's catalog additions as a job carries them (plain arrays), or null when there are none. */
function jobExtensions(e: Config["sensitive"]): JobMessage["sensitive"] {
  if (e.params.length === 0 && e.scriptParams.length === 0 && e.secretWords.length === 0 && !e.sealWholeScripts) return null;
  const entry = (p: { name: string; menus?: readonly string[]; reason: string }) => ({ name: p.name, ...(p.menus && { menus: [...p.menus] }), reason: p.reason });
  return { params: e.params.map(entry), scriptParams: e.scriptParams.map(entry), secretWords: [...e.secretWords], sealWholeScripts: e.sealWholeScripts };
}

/** The sites of every device in the config (each gets a job consumer). */
export function sitesOf(config: Config): Set<string> {
  const sites = new Set<string>(["default"]);
  for (const t of config.tenants.values()) for (const d of t.devices) if (SUBJECT_TOKEN.test(d.site)) sites.add(d.site);
  return sites;
}

/** A collector's failure as the error the core records. */
function errorOf(s: Extract<SnapshotMessage, { outcome: "failed" }>): RosarchiveError {
  const e = s.error;
  const code: ErrorCode = e.code in ERROR_STATUS ? (e.code as ErrorCode) : "error";
  return new RosarchiveError(code, e.message, {
    ...(e.expected_fingerprint && { expected_fingerprint: e.expected_fingerprint }),
    ...(e.presented_fingerprint && { presented_fingerprint: e.presented_fingerprint }),
    ...(e.credentials_fp && { credentialsFingerprint: e.credentials_fp }),
    ...(e.blocked && { blocked: true }),
  });
}
