import type { NatsConnection } from "@nats-io/transport-node";
import { jetstream, type Consumer, type JetStreamClient, type JsMsg } from "@nats-io/jetstream";
import client from "prom-client";
import { asRosarchiveError, RosarchiveError, type Platform } from "../common/index.js";
import { resolveDevice, type Config } from "../config/index.js";
import { normalize } from "../normalize/index.js";
import type { Logger } from "../observe/index.js";
import { collectWithVersionCheck, credentialsFingerprint, HandshakeGate, recipientsOf, resolveCredentials, resultCode, sshTargetOf } from "../pipeline/index.js";
import { extendPlatform, sealValues } from "../seal/index.js";
import { mergeExtensions } from "./merge-extensions.js";
import { readKeyFile } from "../store/index.js";
import { connectNats } from "./connect-nats.js";
import { decodeMessage, encodeMessage, jobSchema, PROTOCOL_VERSION, type HeartbeatMessage, type JobMessage, type SnapshotMessage } from "./protocol.js";
import { lastToken, natsNames, type NatsNames } from "./subjects.js";

export interface CollectorOptions {
  readonly config: Config;
  readonly sites: readonly string[];
  /** Names this collector in heartbeats, its NATS inbox prefix and its connection. */
  readonly id: string;
  /** SSH sessions at once. */
  readonly concurrency: number;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  readonly version: string;
  readonly platform: Platform;
  readonly clock?: () => number;
}

export interface CollectorHealth {
  readonly status: "ok" | "degraded";
  readonly id: string;
  readonly sites: readonly string[];
  readonly nats: "connected" | "disconnected";
  readonly in_flight: number;
  readonly jobs_done: number;
}

export interface RunningCollector {
  readonly registry: client.Registry;
  health(): CollectorHealth;
  /** SIGTERM: takes no new job, finishes and publishes the ones it holds, says goodbye, closes. */
  drain(): Promise<void>;
}

/** A counting semaphore for SSH sessions. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(n: number) {
    this.free = n;
  }
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export function collectorMetrics(registry: client.Registry) {
  client.collectDefaultMetrics({ register: registry });
  return {
    jobs: new client.Counter({ name: "rosarchive_collector_jobs_total", help: "Jobs done by site and result (collected or the error code)", labelNames: ["site", "result"], registers: [registry] }),
    dropped: new client.Counter({ name: "rosarchive_collector_jobs_dropped_total", help: "Jobs dropped without collecting: past their deadline, or malformed", labelNames: ["reason"], registers: [registry] }),
    inFlight: new client.Gauge({ name: "rosarchive_collector_jobs_in_flight", help: "Jobs held now", registers: [registry] }),
    duration: new client.Histogram({ name: "rosarchive_collector_job_duration_seconds", help: "From taking a job to its snapshot stored in JetStream", buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120], registers: [registry] }),
    bytes: new client.Counter({ name: "rosarchive_collector_snapshot_bytes_total", help: "Bytes of snapshot messages published (gzipped JSON)", registers: [registry] }),
    connected: new client.Gauge({ name: "rosarchive_collector_nats_connected", help: "1 while connected to NATS", registers: [registry] }),
  };
}

/**
 * `rosarchive collector`: connects out to NATS, takes backup jobs of its
 * sites from their shared work-queue consumers, collects over SSH with the
 * credentials it holds, normalizes and seals (the tenant's recipients, the
 * index key it holds, the job's previous index so unchanged secrets keep
 * their ciphertext), publishes the snapshot, and acknowledges the job only
 * once the snapshot is stored. Plaintext never leaves this process.
 */
export async function startCollector(o: CollectorOptions): Promise<RunningCollector> {
  const { config, log } = o;
  const nats = config.nats;
  if (!nats) throw new RosarchiveError("bad_parameter", "the config has no nats: block; a collector needs nats.url");
  const clock = o.clock ?? Date.now;
  const names = natsNames(nats.streamPrefix);
  const indexKey = await readIndexKey(config);
  const registry = new client.Registry();
  const metrics = collectorMetrics(registry);
  const nc = await connectNats(nats, o.env, { name: `rosarchive-collector-${o.id}`, inboxPrefix: names.inboxPrefix(o.id) });
  const js = jetstream(nc, { timeout: 10_000 });
  const live: Live = { connected: true, inFlight: 0, jobsDone: 0, stopping: false, held: new Set() };
  metrics.connected.set(1);
  watchConnection(nc, live, metrics, log);

  const startedAt = clock();
  const beat = (leaving: boolean) => publishHeartbeats(nc, names, o, live, startedAt, leaving);
  beat(false);
  const heartbeat = setInterval(() => beat(false), nats.heartbeatMs);

  const work: Work = { js, names, indexKey, metrics, log, config, o, clock, handshakes: new HandshakeGate(), maxPayload: () => nc.info?.max_payload ?? 1024 * 1024 };
  const pull: Pull = { js, names, log, live, slots: new Slots(o.concurrency), handle: (m, site) => handleJob(work, live, m, site) };
  const loops: Promise<void>[] = [];
  for (const site of o.sites) for (let i = 0; i < o.concurrency; i++) loops.push(pullLoop(pull, site));
  log.info({ event: "collector.ready", id: o.id, sites: o.sites, concurrency: o.concurrency, servers: nats.servers });

  return {
    registry,
    health: () => ({ status: live.connected && !live.stopping ? "ok" : "degraded", id: o.id, sites: o.sites, nats: live.connected ? "connected" : "disconnected", in_flight: live.inFlight, jobs_done: live.jobsDone }),
    async drain() {
      live.stopping = true;
      log.info({ event: "collector.draining", in_flight: live.inFlight });
      await Promise.allSettled(loops);
      await Promise.allSettled([...live.held]);
      clearInterval(heartbeat);
      beat(true);
      await nc.flush().catch(() => {});
      await nc.drain().catch(() => {});
      log.info({ event: "collector.stopped", jobs_done: live.jobsDone });
    },
  };
}

/** What a running collector's parts share: its connection state, its jobs, whether it is draining. */
interface Live {
  connected: boolean;
  inFlight: number;
  jobsDone: number;
  stopping: boolean;
  /** Jobs taken and not yet finished (drain waits for them). */
  readonly held: Set<Promise<void>>;
}

async function readIndexKey(config: Config): Promise<Buffer> {
  try {
    return await readKeyFile(config.encryption.indexKeyFile);
  } catch (err) {
    throw new RosarchiveError("bad_parameter", `${(err as Error).message}: a collector seals with the core's secret index key; copy the core's ${"state_dir/secret-index.key"} to encryption.index_key_file`);
  }
}

/** Follows the NATS connection's status into `live.connected`, the gauge and the log, until the connection closes. */
function watchConnection(nc: NatsConnection, live: Live, metrics: ReturnType<typeof collectorMetrics>, log: Logger): void {
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") {
        live.connected = false;
        metrics.connected.set(0);
        log.warn({ event: "collector.nats_disconnected" });
      } else if (s.type === "reconnect") {
        live.connected = true;
        metrics.connected.set(1);
        log.info({ event: "collector.nats_reconnected" });
      }
    }
  })().catch(() => {});
}

/** One heartbeat per site; `leaving` says goodbye. */
function publishHeartbeats(nc: NatsConnection, names: NatsNames, o: CollectorOptions, live: Live, startedAt: number, leaving: boolean): void {
  for (const site of o.sites) {
    const hb: HeartbeatMessage = { v: PROTOCOL_VERSION, id: o.id, sites: [...o.sites], version: o.version, in_flight: live.inFlight, concurrency: o.concurrency, jobs_done: live.jobsDone, started_at: startedAt, leaving };
    try {
      nc.publish(names.heartbeatSubject(site, o.id), JSON.stringify(hb));
    } catch {
      /* disconnected: the next beat goes out after the reconnect */
    }
  }
}

/** One job, counted in flight while it runs and done after. */
async function handleJob(work: Work, live: Live, m: JsMsg, site: string): Promise<void> {
  live.inFlight++;
  work.metrics.inFlight.set(live.inFlight);
  try {
    await runJob(work, m, site);
  } finally {
    live.inFlight--;
    live.jobsDone++;
    work.metrics.inFlight.set(live.inFlight);
  }
}

/** What the pull loops share. */
interface Pull {
  readonly js: JetStreamClient;
  readonly names: NatsNames;
  readonly log: Logger;
  readonly live: Live;
  readonly slots: Slots;
  readonly handle: (m: JsMsg, site: string) => Promise<void>;
}

/**
 * One pull loop of `site`, until the collector drains. There is one per SSH
 * slot and site; a slot is taken before a job is asked for, so a collector
 * never holds more jobs than it can run.
 */
async function pullLoop(p: Pull, site: string): Promise<void> {
  const { js, names, log, live, slots } = p;
  let consumer: Consumer | null = null;
  while (!live.stopping) {
    try {
      consumer ??= await js.consumers.get(names.jobsStream, names.jobConsumer(site));
    } catch (err) {
      log.warn({ event: "collector.no_consumer", site, msg: (err as Error).message });
      await sleep(2000);
      continue;
    }
    await slots.take();
    let m: JsMsg | null = null;
    try {
      if (!live.stopping) m = await consumer.next({ expires: 2000 });
    } catch (err) {
      if (!live.stopping) log.debug({ event: "collector.pull_failed", site, msg: (err as Error).message });
      slots.give();
      await sleep(1000);
      continue;
    }
    if (!m) {
      slots.give();
      continue;
    }
    const job = p.handle(m, site).finally(() => {
      slots.give();
      live.held.delete(job);
    });
    live.held.add(job);
  }
}

interface Work {
  readonly js: JetStreamClient;
  readonly names: NatsNames;
  readonly indexKey: Buffer;
  readonly metrics: ReturnType<typeof collectorMetrics>;
  readonly log: Logger;
  readonly config: Config;
  readonly o: CollectorOptions;
  readonly clock: () => number;
  /** Spaces out this collector's SSH handshakes (see HandshakeGate). */
  readonly handshakes: HandshakeGate;
  /** The server's max_payload: a snapshot above it fails instead of retrying for ever. */
  readonly maxPayload: () => number;
}

/** One job: checks, collect, seal, publish (retried until stored), then the ack. */
async function runJob(w: Work, m: JsMsg, site: string): Promise<void> {
  const { log, metrics, config, clock } = w;
  const nats = config.nats!;
  const decoded = await decodeMessage(jobSchema, m.data, 64 * 1024 * 1024);
  if (!decoded.ok || decoded.value.site !== site || lastToken(m.subject) !== site) {
    m.term();
    metrics.dropped.inc({ reason: "malformed" });
    log.warn({ event: "collector.job_refused", site, why: decoded.ok ? "site does not match its subject" : decoded.reason });
    return;
  }
  const job = decoded.value;
  const facts = { tenant: job.tenant, device: job.device, site, job: job.job, trigger: job.trigger };
  if (clock() > job.deadline) {
    m.term();
    metrics.dropped.inc({ reason: "expired" });
    log.warn({ event: "collector.job_expired", ...facts, late_ms: clock() - job.deadline });
    return;
  }
  const started = clock();
  log.debug({ event: "collector.job_started", ...facts, delivery: m.info.deliveryCount });
  // Tell JetStream the job is alive while it runs; a collector that dies stops this and the job goes to another after ack_wait.
  const working = setInterval(() => m.working(), Math.max(500, Math.floor(nats.ackWaitMs / 3)));
  try {
    let snapshot = await collectJob(w, job);
    let payload = await encodeMessage(snapshot);
    if (payload.length > w.maxPayload()) {
      const message = `the sealed export is ${payload.length} bytes gzipped, above the NATS server's max_payload (${w.maxPayload()}); raise max_payload on the server`;
      snapshot = { ...echoOf(job, w.o), collected_at: clock(), outcome: "failed", error: { code: "invalid_output", message } };
      payload = await encodeMessage(snapshot);
    }
    await publishUntilStored(w, site, job, payload, m);
    metrics.bytes.inc(payload.length);
    const result = snapshot.outcome === "ok" ? "collected" : resultCode(snapshot.error.code);
    metrics.jobs.inc({ site, result });
    metrics.duration.observe((clock() - started) / 1000);
    log.info({ event: "collector.job_done", ...facts, result, ms: clock() - started, bytes: payload.length });
    try {
      await m.ackAck();
    } catch {
      // The snapshot is stored; a redelivered job makes a duplicate the core recognises by its id.
    }
  } catch (err) {
    // Not published: leave the job unacknowledged so that JetStream hands it out again.
    log.warn({ event: "collector.job_failed", ...facts, msg: (err as Error).message });
  } finally {
    clearInterval(working);
  }
}

async function publishUntilStored(w: Work, site: string, job: JobMessage, payload: Uint8Array, m: JsMsg): Promise<void> {
  const until = w.clock() + Math.max(w.config.nats!.jobDeadlineMs, 60_000);
  for (let attempt = 1; ; attempt++) {
    try {
      await w.js.publish(w.names.snapshotSubject(site), payload, { msgID: `snap.${job.job}`, timeout: 10_000 });
      return;
    } catch (err) {
      if (w.clock() > until) throw err;
      if (attempt === 1 || attempt % 10 === 0) w.log.warn({ event: "collector.publish_retry", job: job.job, attempt, msg: (err as Error).message });
      m.working();
      await sleep(Math.min(5000, 250 * attempt));
    }
  }
}

/** What every snapshot repeats from its job (the core checks the job's MAC) and who answers. */
function echoOf(job: JobMessage, o: CollectorOptions) {
  return {
    v: PROTOCOL_VERSION,
    job: job.job,
    tenant: job.tenant,
    device: job.device,
    site: job.site,
    trigger: job.trigger,
    issued_at: job.issued_at,
    mac: job.mac,
    collector: o.id,
    collector_version: o.version,
  } as const;
}

/** Collect and seal one job; every failure becomes a `failed` snapshot with its code. */
async function collectJob(w: Work, job: JobMessage): Promise<SnapshotMessage> {
  const { config, o, indexKey, clock } = w;
  const echo = echoOf(job, o);
  let credFp: string | null = null;
  try {
    // The device's entry in this collector's file, else the defaults (tenant, then global, credential sets) as for any device.
    const tenant = config.tenants.get(job.tenant);
    const who =
      tenant?.deviceById.get(job.device) ??
      resolveDevice(
        { id: job.device, host: job.host },
        { tenant: job.tenant, source: "collector", tenantDefaults: tenant?.defaults ?? {}, globalDefaults: config.defaults, sets: config.credentials, defaultIntervalMs: config.schedule.intervalMs, where: `tenants.${job.tenant}.devices` },
      ).device;
    const creds = await resolveCredentials(who, o.env);
    credFp = credentialsFingerprint(creds, indexKey);
    if (job.blocked_credentials && job.blocked_credentials === credFp) {
      throw new RosarchiveError("auth_failed", `${job.tenant}/${job.device} is blocked (auth_failed): fix its credentials on the collector`, { blocked: true });
    }
    const got = await collectWithVersionCheck(sshTargetOf(job.host, job.port, creds), {
      platform: o.platform,
      pinnedFingerprint: job.pinned_fingerprint,
      knownVersion: job.known_version,
      connectTimeoutMs: config.schedule.connectTimeoutMs,
      commandTimeoutMs: config.schedule.commandTimeoutMs,
      maxBytes: config.limits.maxExportBytes,
      clock,
      handshakes: w.handshakes,
    });
    const collectedAt = clock();
    const platform = extendPlatform(o.platform, mergeExtensions(config.sensitive, job.sensitive));
    const normalized = normalize(got.text, o.platform);
    if (!o.platform.hasMenuLine(normalized)) {
      throw new RosarchiveError("invalid_output", "after normalization the export holds no menu line; nothing archived");
    }
    const sealed = await sealValues(normalized, {
      platform,
      recipients: recipientsOf(config, job.tenant),
      previous: job.previous_index,
      indexKey,
      context: `${job.tenant}/${job.device}`,
    });
    // The version recorded is the export header's, on every backup; the probe's only when there is no header.
    const version = o.platform.versionFromExport(got.text) ?? got.version;
    return { ...echo, collected_at: collectedAt, outcome: "ok", text: sealed.text, index: sealed.index, sealed_values: sealed.sealed, plaintext_fingerprint: sealed.fingerprint, version, fingerprint: got.fingerprint, bytes: Buffer.byteLength(got.text, "utf8") };
  } catch (raw) {
    const err = asRosarchiveError(raw);
    const d = err.data;
    return {
      ...echo,
      collected_at: clock(),
      outcome: "failed",
      error: {
        code: err.code,
        message: err.message.slice(0, 2000),
        ...(typeof d.expected_fingerprint === "string" && { expected_fingerprint: d.expected_fingerprint }),
        ...(typeof d.presented_fingerprint === "string" && { presented_fingerprint: d.presented_fingerprint }),
        ...(credFp && { credentials_fp: credFp }),
        ...(d.blocked === true && { blocked: true }),
      },
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export type { NatsConnection };
