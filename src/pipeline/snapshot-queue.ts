import { archiveSnapshot, type SnapshotInput, type SnapshotResult } from "./archive-snapshot.js";
import type { PipelineContext } from "./context.js";

/**
 * The seam between collection and archiving. Collectors (many SSH sessions,
 * no state of their own) submit checked exports; the archive side
 * (normalize → seal → one writer per tenant repository → notify) commits them
 * and answers with the result.
 *
 * In one process `submit` is a direct call: the tenant's writer already groups
 * concurrent submissions into one pack and one ref update. Across machines the
 * same contract maps onto a durable stream per tenant (a NATS JetStream
 * subject `rosarchive.snapshots.<tenant>` with work-queue retention, one
 * consumer per tenant, the ack sent after the commit and the result as the
 * reply), so collectors scale out without the core changing.
 */
export interface SnapshotQueue {
  /** Resolves once the snapshot is committed (or found unchanged) and its event is in the outbox. */
  submit(snapshot: SnapshotInput): Promise<SnapshotResult & { version: string }>;
}

/** The in-process queue: hands each snapshot straight to the archive path of the (live) context. */
export function localSnapshotQueue(ctx: () => PipelineContext): SnapshotQueue {
  return { submit: (snapshot) => archiveSnapshot(ctx(), snapshot) };
}
