import http from "node:http";
import type { Socket } from "node:net";
import type { Config } from "../config/index.js";
import { sourceOf } from "./client-source.js";

type Limits = Config["limits"];

/** How often the server looks for requests past their header or body timeout. */
const CHECK_INTERVAL_MS = 1000;

export interface HttpServer {
  readonly server: http.Server;
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
export function createHttpServer(handler: http.RequestListener, initial: Limits): HttpServer {
  let limits = initial;
  const server = http.createServer({ connectionsCheckingInterval: CHECK_INTERVAL_MS, keepAliveTimeout: 5000 }, handler);
  const perSource = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
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
  return { server, applyLimits, connectionsFrom: (address) => perSource.get(sourceOf(address)) ?? 0 };
}

