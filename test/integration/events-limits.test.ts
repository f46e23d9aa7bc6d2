import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { deviceEvent } from "../../src/notify/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { importExport } from "../../src/pipeline/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { FIXTURES, tempDir } from "../helpers/tmp.js";
import { SseClient } from "../helpers/sse.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const newToken = () => randomBytes(18).toString("base64url");

/** A stream opened with a bearer token (and a Last-Event-ID to resume from). */
const stream = (url: string, token: string, lastEventId?: string) => new SseClient().open(url, { authorization: `Bearer ${token}`, ...(lastEventId && { "last-event-id": lastEventId }) });

interface Setup {
  readonly svc: RunningService;
  readonly dir: string;
  readonly file: string;
  readonly tokens: { a: string; b: string; gone: string };
  readonly url: (tenant?: string) => string;
}

async function start(limits: string, dir = tempDir(), tokens = { a: newToken(), b: newToken(), gone: newToken() }): Promise<Setup> {
  const file = path.join(dir, "config.yaml");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    writeConfig(dir, {
      recipient: keygen(dir).recipient,
      devices: [{ id: "core-1" }],
      extra: limits,
      tenantExtra: `    tokens:\n      - { name: noc-a, role: viewer, sha256: "${sha(tokens.a)}" }\n      - { name: noc-b, role: viewer, sha256: "${sha(tokens.b)}" }\n`,
    });
    text = `${readFileSync(file, "utf8")}  gone:\n    tokens:\n      - { name: gone-viewer, role: viewer, sha256: "${sha(tokens.gone)}" }\n    devices: []\n`;
    writeFileSync(file, text);
  }
  const svc = await startService(loadConfig(text, { baseDir: dir }), {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
  return { svc, dir, file, tokens, url: (tenant = "acme") => `${svc.url}/api/v1/tenants/${tenant}/events` };
}

/** An event published on the service's own bus, `pad` bytes of message to make it big. */
/**
 * Puts an event of about `pad` bytes on the bus. The body is serialized here,
 * padding included: the event builder caps messages (2,000 characters), and
 * these tests need big messages to fill a paused reader's buffer quickly.
 */
function publish(svc: RunningService, tenant: string, pad = 0): void {
  const e = deviceEvent({ event: "device.failed", tenant, device: "core-1", time: new Date().toISOString(), state: "failing", error: { code: "timeout", message: "x" } }, randomUUID);
  svc.bus.publish(e, JSON.stringify({ ...e, error: { code: "timeout", message: "x".repeat(pad) } }));
}

const listeners = (svc: RunningService, tenant = "acme") => (svc.bus as unknown as { listeners: Map<string, Set<unknown>> }).listeners.get(tenant)?.size ?? 0;

describe("events: streams are bounded, follow revocations and say when they cannot resume", function () {
  this.timeout(120_000);

  it("a token may hold limits.event_streams_per_token streams; one more is 429 until one closes", async () => {
    const s = await start("limits: { event_streams_per_token: 2 }");
    const open: SseClient[] = [];
    try {
      open.push(await stream(s.url(), s.tokens.a), await stream(s.url(), s.tokens.a));
      assert.deepEqual(open.map((x) => x.status), [200, 200]);
      const third = await stream(s.url(), s.tokens.a);
      assert.equal(third.status, 429);
      assert.ok(third.headers.get("retry-after"));
      assert.match(JSON.parse(third.body).error.message, /at most 2 open event streams per token/);
      const otherToken = await stream(s.url(), s.tokens.b);
      open.push(otherToken);
      assert.equal(otherToken.status, 200, "another token has its own share");
      await open.shift()!.close();
      const again = await until("a free stream slot", 10_000, async () => {
        const x = await stream(s.url(), s.tokens.a);
        if (x.status === 200) return x;
        await x.close();
        return undefined;
      });
      open.push(again);
    } finally {
      for (const x of open) await x.close();
      await s.svc.close();
    }
  });

  it("readers that stop reading are dropped once their unsent bytes pass the buffer limit: memory stays bounded", async () => {
    const s = await start("limits: { event_streams_per_token: 100, event_stream_buffer_bytes: 65536 }");
    const sockets: net.Socket[] = [];
    try {
      const port = Number(new URL(s.svc.url).port);
      for (let i = 0; i < 20; i++) {
        const sock = net.connect(port, "127.0.0.1");
        sock.on("error", () => {});
        await new Promise((r) => sock.once("connect", r));
        sock.write(`GET /api/v1/tenants/acme/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.tokens.a}\r\n\r\n`);
        await new Promise((r) => sock.once("data", r)); // the headers: subscribed
        sock.pause(); // and never read again
        sockets.push(sock);
      }
      await until("20 subscribers", 10_000, () => (listeners(s.svc) === 20 ? true : undefined));
      const before = process.memoryUsage().rss;
      let peak = before;
      // 400 events of 32 KiB: 12.8 MB for each of the 20 readers if nothing bounded it.
      for (let i = 0; i < 400; i++) {
        publish(s.svc, "acme", 32 * 1024);
        if (i % 20 === 0) {
          await new Promise((r) => setImmediate(r));
          peak = Math.max(peak, process.memoryUsage().rss);
        }
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      await until("every paused reader dropped", 20_000, () => (listeners(s.svc) === 0 ? true : undefined));
      assert.ok(peak - before < 150 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 1048576)} MB`);
      // A reader that keeps up is not affected.
      const live = await stream(s.url(), s.tokens.a);
      publish(s.svc, "acme", 32 * 1024);
      await until("the live reader's event", 10_000, () => (live.messages.length === 1 ? true : undefined));
      await live.close();
    } finally {
      for (const x of sockets) x.destroy();
      await s.svc.close();
    }
  });

  it("a reload that removes a token or a tenant closes their open streams; other streams stay", async () => {
    const s = await start("");
    const kept = await stream(s.url(), s.tokens.a);
    const revoked = await stream(s.url(), s.tokens.b);
    const gone = await stream(s.url("gone"), s.tokens.gone);
    try {
      assert.deepEqual([kept.status, revoked.status, gone.status], [200, 200, 200]);
      const text = readFileSync(s.file, "utf8");
      const next = text
        .split("\n")
        .filter((l) => !l.includes("noc-b"))
        .join("\n")
        .replace(/ {2}gone:\n[\s\S]*$/, "");
      await s.svc.reload(loadConfig(next, { baseDir: s.dir }));
      await until("the revoked token's stream closed", 10_000, () => (revoked.ended ? true : undefined));
      await until("the removed tenant's stream closed", 10_000, () => (gone.ended ? true : undefined));
      publish(s.svc, "acme");
      await until("the kept stream's event", 10_000, () => (kept.messages.length === 1 ? true : undefined));
      assert.equal(kept.ended, false);
      // Reconnecting with the revoked token is refused.
      const retry = await stream(s.url(), s.tokens.b);
      assert.equal(retry.status, 401);
    } finally {
      for (const x of [kept, revoked, gone]) await x.close();
      await s.svc.close();
    }
  });

  it("resuming across a restart gets `event: reset` (reload your state), then live events; within a run it replays", async () => {
    const first = await start("");
    let lastId: string;
    const input = path.join(first.dir, "in.rsc");
    writeFileSync(input, readFileSync(path.join(FIXTURES, "v7.18.2-wifi.rsc")));
    const device = () => first.svc.ctx.config().tenants.get("acme")!.deviceById.get("core-1")!;
    try {
      const c = await stream(first.url(), first.tokens.a);
      await importExport(first.svc.ctx, device(), input);
      await until("config.changed", 10_000, () => (c.messages.length === 1 ? true : undefined));
      lastId = c.messages[0]!.id;
      await c.close();
      // Within the run: Last-Event-ID replays what followed.
      publish(first.svc, "acme");
      const resumed = await stream(first.url(), first.tokens.a, lastId);
      await until("the replayed event", 10_000, () => (resumed.messages.length === 1 ? true : undefined));
      assert.equal(resumed.messages[0]!.event, "device.failed");
      await resumed.close();
    } finally {
      await first.svc.close();
    }
    const second = await start("", first.dir, first.tokens);
    try {
      const after = await stream(second.url(), second.tokens.a, lastId);
      assert.equal(after.status, 200);
      await until("the reset message", 10_000, () => (after.messages.length >= 1 ? true : undefined));
      const reset = after.messages[0]!;
      assert.equal(reset.event, "reset");
      const body = JSON.parse(reset.data);
      assert.equal(body.reason, "restarted");
      assert.match(body.message, /reload/);
      assert.notEqual(reset.id.split("-")[0], lastId.split("-")[0], "the reset carries this run's id");
      publish(second.svc, "acme");
      await until("a live event after the reset", 10_000, () => (after.messages.length === 2 ? true : undefined));
      assert.equal(after.messages[1]!.event, "device.failed");
      await after.close();
      // An id of an earlier version (a bare number other than 0) cannot be placed either.
      const legacy = await stream(second.url(), second.tokens.a, "41");
      await until("reset for a bare id", 10_000, () => (legacy.messages.length >= 1 ? true : undefined));
      assert.equal(legacy.messages[0]!.event, "reset");
      await legacy.close();
      // Events no longer held in this run (past the 500 kept per tenant): reset too, never a silent gap.
      const early = second.svc.bus.epoch;
      for (let i = 0; i < 510; i++) publish(second.svc, "acme");
      const old = await stream(second.url(), second.tokens.a, `${early}-2`);
      await until("reset for an evicted id", 10_000, () => (old.messages.length >= 1 ? true : undefined));
      assert.equal(old.messages[0]!.event, "reset");
      assert.equal(JSON.parse(old.messages[0]!.data).reason, "too_old");
      await old.close();
    } finally {
      await second.svc.close();
    }
  });
});
