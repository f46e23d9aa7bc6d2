import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { addressMatcher, type Config } from "../config/index.js";
import { sourceOf } from "./client-source.js";

type Limits = Config["limits"];

/** How often the server looks for requests past their header or body timeout. */
const CHECK_INTERVAL_MS = 1000;

export interface HttpServer {
  readonly server: http.Server;
  /** True when it terminates TLS. */
  readonly secure: boolean;
  /** Puts a new certificate and key in force for new connections (a renewal, on SIGHUP). */
  setCertificate(tls: { readonly cert: Buffer; readonly key: Buffer }): void;
  /** Applies the limits of a reloaded config to the running server. */
  applyLimits(limits: Limits): void;
  /** Open connections per source right now (tests, diagnostics). */
  connectionsFrom(address: string): number;
}

/**
 * The service's HTTP server with the connection limits every client is held
 * to: `max_connections` in all, `max_connections_per_source` from one source
 * (an address, or an IPv6 /64), request headers within `header_timeout` and
 * the body within `body_timeout` after them (408, then the connection is
 * closed). A client that opens hundreds of sockets and trickles header bytes
 * into them fills only its own share, and only until the header timeout.
 */
export function createHttpServer(
  handler: http.RequestListener,
  initial: Limits,
  opts: { readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | null; readonly trustedProxies?: () => readonly string[] } = {},
): HttpServer {
  let limits = initial;
  const options = { connectionsCheckingInterval: CHECK_INTERVAL_MS, keepAliveTimeout: 5000 };
  const server: http.Server = opts.tls ? (https.createServer({ ...options, cert: opts.tls.cert, key: opts.tls.key }, handler) as unknown as http.Server) : http.createServer(options, handler);
  // A reverse proxy carries many clients over its own connections: it is held to max_connections only.
  let proxies: readonly string[] | null = null;
  let isProxy: (address: string) => boolean = () => false;
  const trusted = (address: string | undefined) => {
    const now = opts.trustedProxies?.() ?? [];
    if (now !== proxies) {
      proxies = now;
      isProxy = addressMatcher(now);
    }
    return address !== undefined && isProxy(address);
  };
  const perSource = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    if (trusted(socket.remoteAddress)) return;
    const source = sourceOf(socket.remoteAddress);
    const open = perSource.get(source) ?? 0;
    if (open >= limits.maxConnectionsPerSource) {
      // Refused before any byte is read, as max_connections refuses: an answer would keep the socket (and a slot) open longer.
      socket.destroy();
      return;
    }
    perSource.set(source, open + 1);
    socket.once("close", () => {
      const left = (perSource.get(source) ?? 1) - 1;
      if (left > 0) perSource.set(source, left);
      else perSource.delete(source);
    });
  });
  const applyLimits = (next: Limits) => {
    limits = next;
    server.maxConnections = next.maxConnections;
    server.headersTimeout = next.headerTimeoutMs;
    server.requestTimeout = next.headerTimeoutMs + next.bodyTimeoutMs;
  };
  applyLimits(initial);
  return {
    server,
    secure: opts.tls != null,
    setCertificate(tls) {
      if (opts.tls) (server as unknown as https.Server).setSecureContext({ cert: tls.cert, key: tls.key });
    },
    applyLimits,
    connectionsFrom: (address) => perSource.get(sourceOf(address)) ?? 0,
  };
}

