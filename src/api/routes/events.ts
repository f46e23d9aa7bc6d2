import type { Request, Response } from "express";
import { badParameter, RosarchiveError } from "../../common/index.js";
import type { BusMessage, EventBus } from "../../notify/index.js";
import type { Logger } from "../../observe/index.js";
import type { EventStreams } from "../event-streams.js";
import type { Access } from "../types.js";

/** Proxies and load balancers drop idle connections after 30-60 s; a comment line keeps the stream open. */
export const SSE_HEARTBEAT_MS = 15_000;

/** `<epoch>-<seq>`: the epoch changes at every start of the service, the sequence counts within it. */
export function eventId(epoch: string, seq: number): string {
  return `${epoch}-${seq}`;
}

/** One SSE message: `id` resumes with Last-Event-ID, `data` is the exact bytes webhooks get. */
export function formatSseMessage(epoch: string, m: BusMessage): string {
  // The serialized event is single-line JSON (JSON.stringify escapes newlines), so one `data:` line is exact.
  return `id: ${eventId(epoch, m.seq)}\nevent: ${m.event}\ndata: ${m.data}\n\n`;
}

export type ResumeFrom = { readonly epoch: string | null; readonly seq: number };

/**
 * `Last-Event-ID` header (what EventSource sends on reconnect) or
 * `?last_event_id=`; null when absent. A bare number (the ids of earlier
 * versions) has no epoch: 0 means "nothing seen yet", any other resumes as
 * one from before a restart.
 */
export function parseLastEventId(req: Request): ResumeFrom | null {
  const header = req.get("last-event-id");
  const [name, value] = header !== undefined ? ["Last-Event-ID", header.trim()] : ["last_event_id", req.query.last_event_id];
  if (value === undefined || value === "") return null;
  const m = typeof value === "string" ? /^(?:([0-9a-z]{1,16})-)?([0-9]{1,15})$/.exec(value) : null;
  if (!m) throw badParameter(name, "must be an event id of this stream (as in its `id:` lines)");
  return { epoch: m[1] ?? null, seq: Number(m[2]) };
}

/**
 * The message that replaces a replay the service cannot give: the client
 * resumed from before a restart (ids of another epoch) or from events no
 * longer held. It must reload its state; its id lets the next resume start
 * from here.
 */
export function resetMessage(epoch: string, seq: number, reason: "restarted" | "too_old"): string {
  const message =
    reason === "restarted"
      ? "the service restarted since that event id; events in between cannot be replayed: reload the state, then follow this stream"
      : "events since that id are no longer held; reload the state, then follow this stream";
  return `id: ${eventId(epoch, seq)}\nevent: reset\ndata: ${JSON.stringify({ event: "reset", reason, message })}\n\n`;
}

export interface StreamOptions {
  readonly heartbeatMs?: number;
  readonly streams?: EventStreams;
  /** Open streams per token (beyond: 429) and the unsent bytes a stream may hold (beyond: dropped). */
  readonly perToken: number;
  readonly bufferBytes: number;
  readonly log?: Logger;
}

/**
 * `GET /api/v1/tenants/{t}/events` after `requireAccess`: replays what the bus
 * still holds after Last-Event-ID (or says `event: reset` when it cannot),
 * then streams the tenant's events live until the client goes away, its token
 * is revoked, or it reads so slowly that its unsent bytes pass the buffer
 * limit (then it is dropped; it reconnects and resumes). Only
 * `access.tenant`'s events are ever subscribed, so tenant isolation is the
 * bus key.
 */
export function streamEvents(bus: EventBus, req: Request, res: Response, access: Access, opts: StreamOptions): void {
  const after = parseLastEventId(req);
  const tenant = access.tenant.id;
  let ended = false;
  let cleanup = () => {};
  const end = (why: string, destroy: boolean) => {
    if (ended) return;
    ended = true;
    cleanup();
    opts.log?.info({ event: "events.stream_closed", tenant, actor: access.actor, reason: why });
    if (destroy) res.destroy();
    else res.end();
  };
  const unregister = opts.streams?.add({ tenant, tokenSha256: access.tokenSha256, end: (why) => end(why, false) }, opts.perToken);
  if (unregister === null) {
    res.set("Retry-After", "30");
    throw new RosarchiveError("rate_limited", `at most ${opts.perToken} open event streams per token; close one (another tab?) first`);
  }
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

  /** Writes, and drops a reader that lets unsent bytes pile up past the limit (a paused or stalled client). */
  const send = (text: string) => {
    if (ended) return;
    res.write(text);
    if (res.writableLength > opts.bufferBytes) end(`reader too slow: more than ${opts.bufferBytes} bytes unsent`, true);
  };
  send(": connected\n\n");

  // Replay and subscribe in the same tick: nothing published in between can be lost or doubled.
  if (after !== null) {
    // A bare 0 ("nothing seen yet") asks for everything this run still holds.
    const thisRun = after.epoch === bus.epoch || (after.epoch === null && after.seq === 0);
    const replay = thisRun ? bus.replay(tenant, after.seq) : { complete: false as const };
    if (replay.complete) for (const m of replay.messages) send(formatSseMessage(bus.epoch, m));
    else send(resetMessage(bus.epoch, bus.last, thisRun ? "too_old" : "restarted"));
  }
  const unsubscribe = bus.subscribe(tenant, (m) => send(formatSseMessage(bus.epoch, m)));
  const ping = setInterval(() => send(": ping\n\n"), opts.heartbeatMs ?? SSE_HEARTBEAT_MS);
  ping.unref();
  cleanup = () => {
    clearInterval(ping);
    unsubscribe();
    unregister?.();
  };
  if (ended) cleanup();
  const closed = () => {
    if (ended) return;
    ended = true;
    cleanup();
  };
  res.on("close", closed);
  req.on("close", closed);
}
