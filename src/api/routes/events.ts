import type { Request, Response } from "express";
import { badParameter } from "../../common/index.js";
import type { BusMessage, EventBus } from "../../notify/index.js";
import type { Access } from "../types.js";

/** Proxies and load balancers drop idle connections after 30-60 s; a comment line keeps the stream open. */
export const SSE_HEARTBEAT_MS = 15_000;

/** One SSE message: `id` is the bus sequence (Last-Event-ID resume), `data` the exact bytes webhooks get. */
export function formatSseMessage(m: BusMessage): string {
  // The serialized event is single-line JSON (JSON.stringify escapes newlines), so one `data:` line is exact.
  return `id: ${m.seq}\nevent: ${m.event}\ndata: ${m.data}\n\n`;
}

/** `Last-Event-ID` header (what EventSource sends on reconnect) or `?last_event_id=`; null when absent. */
export function parseLastEventId(req: Request): number | null {
  const header = req.get("last-event-id");
  const [name, value] = header !== undefined ? ["Last-Event-ID", header.trim()] : ["last_event_id", req.query.last_event_id];
  if (value === undefined || value === "") return null;
  if (typeof value !== "string" || !/^[0-9]{1,15}$/.test(value)) throw badParameter(name, "must be a non-negative integer (an event id of this stream)");
  return Number(value);
}

/**
 * SPEC §8 `GET /api/v1/tenants/{t}/events` after `requireAccess`: replays what
 * the bus still holds after Last-Event-ID, then streams the tenant's events
 * live until the client goes away. Only `access.tenant`'s events are ever
 * subscribed, so tenant isolation is the bus key.
 */
export function streamEvents(bus: EventBus, req: Request, res: Response, access: Access, heartbeatMs = SSE_HEARTBEAT_MS): void {
  const after = parseLastEventId(req);
  res.status(200);
  res.set({
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
    // nginx buffers proxied responses by default, which would hold events back.
    "X-Accel-Buffering": "no",
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  // The server's request timeout must not cut a long-lived stream.
  req.socket.setTimeout(0);
  res.write(": connected\n\n");

  const tenant = access.tenant.id;
  // Replay and subscribe in the same tick: nothing published in between can be lost or doubled.
  if (after !== null) for (const m of bus.since(tenant, after)) res.write(formatSseMessage(m));
  const unsubscribe = bus.subscribe(tenant, (m) => {
    res.write(formatSseMessage(m));
  });
  const ping = setInterval(() => res.write(": ping\n\n"), heartbeatMs);
  ping.unref();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    unsubscribe();
  };
  res.on("close", close);
  req.on("close", close);
}
