import type { HeartbeatMessage } from "./protocol.js";

/** One collector as the core last heard it, for one of its sites. */
export interface CollectorView {
  readonly id: string;
  readonly site: string;
  readonly version: string;
  readonly in_flight: number;
  readonly concurrency: number;
  readonly jobs_done: number;
  readonly started_at: string;
  readonly last_seen: string;
  readonly live: boolean;
}

interface Seen {
  readonly beat: HeartbeatMessage;
  readonly site: string;
  readonly at: number;
}

/**
 * The collectors the core has heard from (heartbeats on
 * `<prefix>.collectors.<site>.<id>`). A collector counts only for the site in
 * its subject (its NATS permissions limit that), is live while its last
 * heartbeat is younger than `nats.collector_ttl`, and is forgotten when it
 * says it is leaving or after ten TTLs of silence.
 */
export class CollectorRegistry {
  private readonly seen = new Map<string, Seen>();
  private readonly startedAt: number;

  constructor(private readonly ttlMs: () => number, private readonly clock: () => number) {
    this.startedAt = clock();
  }

  heard(site: string, beat: HeartbeatMessage): void {
    const key = `${site}/${beat.id}`;
    if (beat.leaving) this.seen.delete(key);
    else this.seen.set(key, { beat, site, at: this.clock() });
  }

  /**
   * Whether jobs for `site` can be expected to run: a live collector serves
   * it, or the core started less than one TTL ago (collectors have not had
   * a chance to announce themselves).
   */
  siteLive(site: string): boolean {
    const now = this.clock();
    if (now - this.startedAt < this.ttlMs()) return true;
    for (const s of this.seen.values()) if (s.site === site && now - s.at <= this.ttlMs()) return true;
    return false;
  }

  list(): CollectorView[] {
    const now = this.clock();
    const out: CollectorView[] = [];
    for (const [key, s] of this.seen) {
      if (now - s.at > 10 * this.ttlMs()) {
        this.seen.delete(key);
        continue;
      }
      out.push({
        id: s.beat.id,
        site: s.site,
        version: s.beat.version,
        in_flight: s.beat.in_flight,
        concurrency: s.beat.concurrency,
        jobs_done: s.beat.jobs_done,
        started_at: new Date(s.beat.started_at).toISOString(),
        last_seen: new Date(s.at).toISOString(),
        live: now - s.at <= this.ttlMs(),
      });
    }
    return out.sort((a, b) => a.site.localeCompare(b.site) || a.id.localeCompare(b.id));
  }
}
