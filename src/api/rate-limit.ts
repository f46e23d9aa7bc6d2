/**
 * Fixed per-key budget over a sliding minute (manual backups per
 * device per minute). In memory: a restart forgiving the budget is harmless.
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private readonly now: () => number) {}

  /** Takes one slot; returns 0 when allowed, else the seconds until one frees up. */
  take(key: string, perMinute: number): number {
    const t = this.now();
    const recent = (this.hits.get(key) ?? []).filter((h) => h > t - 60_000);
    if (recent.length >= perMinute) {
      this.hits.set(key, recent);
      return Math.max(1, Math.ceil((recent[0]! + 60_000 - t) / 1000));
    }
    recent.push(t);
    this.hits.set(key, recent);
    return 0;
  }
}
