import type { RosarchiveEvent } from "./events.js";

export interface BusMessage {
  /** Per-process sequence; with the bus epoch it makes the SSE `id:` (Last-Event-ID resume). */
  readonly seq: number;
  readonly tenant: string;
  readonly data: string;
  readonly event: string;
}

/** What a resume can get: every later message still held, or nothing when some were dropped from memory. */
export type Replay = { readonly complete: true; readonly messages: readonly BusMessage[] } | { readonly complete: false };

/**
 * In-memory fan-out of events to live listeners (SSE). Keeps the last few
 * hundred per tenant so a reconnecting client with Last-Event-ID misses
 * nothing that happened while it was away. Sequence numbers belong to this
 * process: `epoch` (set at start, different at every start) tells a resume
 * from before a restart apart from one within this run.
 */
export class EventBus {
  private seq = 0;
  private readonly recent = new Map<string, BusMessage[]>();
  /** Per tenant, the highest sequence dropped from `recent`: a resume from before it has a gap. */
  private readonly droppedUpTo = new Map<string, number>();
  private readonly listeners = new Map<string, Set<(m: BusMessage) => void>>();
  readonly epoch: string;

  constructor(private readonly keep = 500, clock: () => number = Date.now) {
    this.epoch = clock().toString(36);
  }

  /** The newest sequence published (0 before the first). */
  get last(): number {
    return this.seq;
  }

  publish(event: RosarchiveEvent, serialized: string): void {
    const m: BusMessage = { seq: ++this.seq, tenant: event.tenant, data: serialized, event: event.event };
    let list = this.recent.get(m.tenant);
    if (!list) this.recent.set(m.tenant, (list = []));
    list.push(m);
    if (list.length > this.keep) {
      const gone = list.splice(0, list.length - this.keep);
      this.droppedUpTo.set(m.tenant, gone[gone.length - 1]!.seq);
    }
    for (const fn of this.listeners.get(m.tenant) ?? []) fn(m);
  }

  /** Messages of `tenant` after `seq` still held in memory. */
  since(tenant: string, seq: number): BusMessage[] {
    return (this.recent.get(tenant) ?? []).filter((m) => m.seq > seq);
  }

  /** Everything of `tenant` after `seq`, or `complete: false` when part of it is no longer held (or `seq` was never issued). */
  replay(tenant: string, seq: number): Replay {
    if (seq > this.seq || seq < (this.droppedUpTo.get(tenant) ?? 0)) return { complete: false };
    return { complete: true, messages: this.since(tenant, seq) };
  }

  subscribe(tenant: string, fn: (m: BusMessage) => void): () => void {
    let set = this.listeners.get(tenant);
    if (!set) this.listeners.set(tenant, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }
}
