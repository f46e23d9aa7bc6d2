import type { Config } from "../config/index.js";

interface OpenStream {
  readonly tenant: string;
  readonly tokenSha256: string;
  /** Ends the stream (the client sees it close and reconnects, or is refused). */
  readonly end: (why: string) => void;
}

/**
 * The event streams open right now, by token. Caps them per token, and on a
 * config reload ends every stream whose token or tenant is no longer in the
 * config, so a revoked token loses its live view at once, not at its next
 * reconnect.
 */
export class EventStreams {
  private readonly open = new Set<OpenStream>();

  /** Registers a stream; returns its removal, or null when the token already has `perToken` open. */
  add(stream: OpenStream, perToken: number): (() => void) | null {
    let mine = 0;
    for (const s of this.open) if (s.tokenSha256 === stream.tokenSha256 && s.tenant === stream.tenant) mine++;
    if (mine >= perToken) return null;
    this.open.add(stream);
    return () => this.open.delete(stream);
  }

  /** Ends the streams the new config no longer allows. Returns how many. */
  revalidate(config: Config): number {
    let ended = 0;
    for (const s of [...this.open]) {
      const tenant = config.tenants.get(s.tenant);
      const why = !tenant ? "tenant removed" : tenant.tokens.some((t) => t.sha256 === s.tokenSha256) ? null : "token revoked";
      if (why) {
        this.open.delete(s);
        s.end(why);
        ended++;
      }
    }
    return ended;
  }

  /** Ends every stream (shutdown). */
  closeAll(): void {
    for (const s of [...this.open]) s.end("shutting down");
    this.open.clear();
  }

  get size(): number {
    return this.open.size;
  }
}
