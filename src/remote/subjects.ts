/**
 * Every NATS name rosarchive uses, from `nats.stream_prefix` (default
 * `rosarchive`). Subjects end in the site so that a collector's NATS
 * permissions can be limited to its sites (see README, "NATS permissions").
 */
export interface NatsNames {
  readonly jobsStream: string;
  readonly snapshotsStream: string;
  /** Work queue of one site's backup jobs (core publishes, the site's collectors take). */
  jobSubject(site: string): string;
  readonly jobsAll: string;
  /** Snapshots and failures from one site's collectors (the core consumes). */
  snapshotSubject(site: string): string;
  readonly snapshotsAll: string;
  /** Plain NATS (not stored): a collector's heartbeat for one of its sites. */
  heartbeatSubject(site: string, collector: string): string;
  readonly heartbeatsAll: string;
  /** The durable pull consumer every collector of a site shares. */
  jobConsumer(site: string): string;
  readonly snapshotConsumer: string;
  /** Replies (pull deliveries, publish acks) for one collector, so it never needs `_INBOX.>`. */
  inboxPrefix(collector: string): string;
}

export function natsNames(prefix: string): NatsNames {
  const upper = prefix.toUpperCase().replace(/-/g, "_");
  return {
    jobsStream: `${upper}_JOBS`,
    snapshotsStream: `${upper}_SNAPSHOTS`,
    jobSubject: (site) => `${prefix}.jobs.${site}`,
    jobsAll: `${prefix}.jobs.>`,
    snapshotSubject: (site) => `${prefix}.snapshots.${site}`,
    snapshotsAll: `${prefix}.snapshots.>`,
    heartbeatSubject: (site, collector) => `${prefix}.collectors.${site}.${collector}`,
    heartbeatsAll: `${prefix}.collectors.>`,
    jobConsumer: (site) => `jobs-${site}`,
    snapshotConsumer: "core",
    inboxPrefix: (collector) => `${prefix}.inbox.${collector}`,
  };
}

/** The last token of a subject (the site of a job or snapshot subject). */
export function lastToken(subject: string): string {
  return subject.slice(subject.lastIndexOf(".") + 1);
}
