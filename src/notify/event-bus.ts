import type { RosarchiveEvent } from "./events.js";

export interface BusMessage {
  /** Per-process sequence, the SSE `id:` used for Last-Event-ID resume. */
  readonly seq: number;
  readonly tenant: string;
  readonly data: string;
  readonly event: string;
}

/**
 * In-memory fan-out of events to live listeners (SSE). Keeps the last few
 * hundred per tenant so a reconnecting client with Last-Event-ID misses nothing
 * that happened while it was away (within this process's lifetime).
 */
export class EventBus {
  private seq = 0;
  private readonly recent = new Map<string, BusMessage[]>();
  private readonly listeners = new Map<string, Set<(m: BusMessage) => void>>();
  constructor(private readonly keep = 500) {}

  publish(event: RosarchiveEvent, serialized: string): void {
    const m: BusMessage = { seq: ++this.seq, tenant: event.tenant, data: serialized, event: event.event };
    let list = this.recent.get(m.tenant);
    if (!list) this.recent.set(m.tenant, (list = []));
    list.push(m);
    if (list.length > this.keep) list.splice(0, list.length - this.keep);
    for (const fn of this.listeners.get(m.tenant) ?? []) fn(m);
  }

  /** Messages of `tenant` after `seq` still held in memory. */
  since(tenant: string, seq: number): BusMessage[] {
    return (this.recent.get(tenant) ?? []).filter((m) => m.seq > seq);
  }

  subscribe(tenant: string, fn: (m: BusMessage) => void): () => void {
    let set = this.listeners.get(tenant);
    if (!set) this.listeners.set(tenant, (set = new Set()));
    set.add(fn);
    return () => set!.delete(fn);
  }
}
