/**
 * Slots for `git http-backend` processes: at most `total` at once for the
 * whole service and `perToken` for one token. A request that finds none free
 * is answered 503 with Retry-After at once, never queued, so a client that
 * opens requests and stalls holds at most its own few slots, and only until
 * the body timeout ends those requests.
 */
export class GitProcessSlots {
  private inUse = 0;
  private readonly byToken = new Map<string, number>();

  /** Takes a slot for `token`; returns its release (idempotent), or null when none is free. */
  take(token: string, limits: { readonly total: number; readonly perToken: number }): (() => void) | null {
    const mine = this.byToken.get(token) ?? 0;
    if (this.inUse >= limits.total || mine >= limits.perToken) return null;
    this.inUse++;
    this.byToken.set(token, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      const left = (this.byToken.get(token) ?? 1) - 1;
      if (left > 0) this.byToken.set(token, left);
      else this.byToken.delete(token);
    };
  }

  /** Processes running now (all tokens). */
  get running(): number {
    return this.inUse;
  }
}
