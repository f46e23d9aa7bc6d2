import { nanos, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from "@nats-io/jetstream";
import type { NatsConfig } from "../config/index.js";
import type { NatsNames } from "./subjects.js";

/** The dedup window of both streams: a job or snapshot republished within it is stored once. */
export function duplicateWindowMs(nats: NatsConfig): number {
  return Math.max(120_000, 4 * nats.ackWaitMs);
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    const info = await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, { ...info.config, ...config });
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add(config);
  }
}

/**
 * The core's JetStream setup, idempotent (run at start and on reload):
 * - `<PREFIX>_JOBS`: work queue, file storage, `<prefix>.jobs.<site>`; jobs
 *   older than twice the job deadline are dropped by the server;
 * - `<PREFIX>_SNAPSHOTS`: work queue, file storage, `<prefix>.snapshots.<site>`,
 *   kept until the core acknowledges each one after its commit;
 * - one durable pull consumer per site (`jobs-<site>`) shared by that site's
 *   collectors, and the core's `core` consumer of snapshots.
 */
export async function setupStreams(nc: NatsConnection, nats: NatsConfig, names: NatsNames, sites: Iterable<string>): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const dup = nanos(duplicateWindowMs(nats));
  await ensureStream(jsm, {
    name: names.jobsStream,
    subjects: [names.jobsAll],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(Math.max(2 * nats.jobDeadlineMs, duplicateWindowMs(nats))),
    duplicate_window: dup,
  });
  await ensureStream(jsm, {
    name: names.snapshotsStream,
    subjects: [names.snapshotsAll],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    duplicate_window: dup,
  });
  for (const site of new Set(sites)) await ensureConsumer(jsm, names.jobsStream, names.jobConsumer(site), names.jobSubject(site), nats.ackWaitMs, 10_000);
  await ensureConsumer(jsm, names.snapshotsStream, names.snapshotConsumer, names.snapshotsAll, nats.ackWaitMs, 1000);
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, name: string, filter: string, ackWaitMs: number, maxAckPending: number): Promise<void> {
  const config = {
    durable_name: name,
    filter_subject: filter,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ackWaitMs),
    max_deliver: -1,
    max_ack_pending: maxAckPending,
  };
  try {
    const info = await jsm.consumers.info(stream, name);
    if (info.config.ack_wait !== config.ack_wait || info.config.max_ack_pending !== maxAckPending) {
      await jsm.consumers.update(stream, name, { ack_wait: config.ack_wait, max_ack_pending: maxAckPending });
    }
  } catch (err) {
    if (!/consumer not found/i.test((err as Error).message)) throw err;
    await jsm.consumers.add(stream, config);
  }
}
