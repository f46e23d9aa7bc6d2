import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { apiDeps, createApp } from "../../src/api/index.js";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { AuditLog } from "../../src/store/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { eventually, Receiver } from "../helpers/receiver.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { SseClient, type SseMessage } from "../helpers/sse.js";
import { tempDir } from "../helpers/tmp.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const newToken = () => randomBytes(24).toString("base64url");
const PUBLIC_URL = "https://archive.example.net";
const HOOK_SECRET = "whsec-sse-test-0123456789";

describe("events: Server-Sent Events per tenant", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let svc: RunningService;
  let receiver: Receiver;
  let gitDir: string;
  const tokens = { viewer: newToken(), operator: newToken(), other: newToken() };
  const clients: SseClient[] = [];
  const events = (t = "acme") => `${svc.url}/api/v1/tenants/${t}/events`;
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });
  const connect = async (token: string, headers: Record<string, string> = {}, url = events()) => {
    const c = await new SseClient().open(url, { ...auth(token), ...headers });
    clients.push(c);
    return c;
  };
  const backup = async (device: string) => {
    const res = await fetch(`${svc.url}/api/v1/tenants/acme/devices/${device}/backup`, { method: "POST", headers: auth(tokens.operator) });
    return { status: res.status, body: (await res.json()) as { changed?: boolean; commit?: string; error?: { code: string } } };
  };

  before(async () => {
    sim = await startDevices(2);
    receiver = new Receiver();
    await receiver.start();
    const dir = tempDir();
    const keys = keygen(dir);
    gitDir = path.join(dir, "repos/acme.git");
    const file = writeConfig(dir, {
      recipient: keys.recipient,
      devices: [0, 1].map((i) => ({ id: `dev-${i}`, port: sim.devices.get(`dev-${i}`)!.port })),
      // A long interval and no ticks (below): only the backups this test triggers run.
      extra: `public_url: ${PUBLIC_URL}\nschedule: { interval: 1d, first_run_window: 1d, connect_timeout: 3s, command_timeout: 2s, backoff: [1h] }\nlimits: { webhook_retry_start: 200ms }`,
      tenantExtra: [
        "    tokens:",
        `      - { name: noc, role: viewer, sha256: "${sha(tokens.viewer)}" }`,
        `      - { name: ops, role: operator, sha256: "${sha(tokens.operator)}" }`,
        "    webhooks:",
        `      - { url: "${receiver.url}", secret_env: HOOK_SECRET, events: [config.changed, device.failed, device.blocked, device.recovered] }`,
        "",
      ].join("\n"),
    });
    writeFileSync(file, readFileSync(file, "utf8").replace("password: not-a-real-secret", "password_env: ROUTER_PASSWORD"));
    appendFileSync(file, `  other:\n    tokens:\n      - { name: other-ops, role: operator, sha256: "${sha(tokens.other)}" }\n    devices:\n      - { id: dev-0, host: 127.0.0.1, port: 1 }\n`);
    const config = loadConfig(readFileSync(file, "utf8"), { baseDir: dir });
    svc = await startService(config, { ROUTER_PASSWORD: TEST_PASSWORD, HOOK_SECRET }, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 }, webhookPollMs: 100 });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await svc?.close();
    await sim?.stop();
    await receiver?.stop();
  });

  it("streams config.changed (JSON, the webhook's exact bytes) and device.failed as they happen", async () => {
    const stream = await connect(tokens.viewer);
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.equal(stream.headers.get("cache-control"), "no-cache");

    const first = await backup("dev-0");
    assert.equal(first.status, 201);
    sim.setExport("dev-0", `${readFixture(V7_FIXTURE)}\n/system note\nset note="changed by the sse test"\n`);
    const second = await backup("dev-0");
    assert.equal(second.status, 201);
    await eventually(() => stream.messages.length >= 2, 10_000, "two config.changed messages");

    const [m1, m2] = stream.messages as [SseMessage, SseMessage];
    assert.deepEqual([m1.event, m2.event], ["config.changed", "config.changed"]);
    // `<epoch>-<seq>`: the epoch is this run's, the sequence increases (Last-Event-ID resume).
    const [epoch1, seq1] = m1.id.split("-");
    const [epoch2, seq2] = m2.id.split("-");
    assert.match(m1.id, /^[0-9a-z]+-[0-9]+$/);
    assert.equal(epoch1, epoch2);
    assert.ok(Number(seq2) > Number(seq1), "ids increase (Last-Event-ID resume)");
    const e1 = JSON.parse(m1.data);
    const e2 = JSON.parse(m2.data);
    assert.deepEqual(Object.keys(e2), ["event", "id", "tenant", "device", "commit", "parent", "collected_at", "trigger", "routeros_version", "stats", "sections", "links"]);
    assert.equal(e1.commit, first.body.commit);
    // `parent` is the commit's Git parent (the repository's README commit for the very first snapshot).
    assert.equal(e1.parent, git(gitDir, ["rev-parse", `${e1.commit}^`]).trim());
    assert.equal(e2.commit, second.body.commit);
    assert.equal(e2.parent, first.body.commit);
    assert.match(e2.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual([e2.tenant, e2.device, e2.trigger, e2.routeros_version], ["acme", "dev-0", "manual", "7.17.2"]);
    assert.ok(!Number.isNaN(Date.parse(e2.collected_at)));
    assert.deepEqual(Object.keys(e2.stats), ["added", "removed"]);
    const note = e2.sections.find((s: { section: string }) => s.section === "/system note");
    assert.ok(note && note.added >= 1, `the changed section is named: ${m2.data}`);
    assert.equal(e2.sections.reduce((n: number, s: { added: number }) => n + s.added, 0), e2.stats.added);
    assert.equal(e2.links.diff, `${PUBLIC_URL}/api/v1/tenants/acme/devices/dev-0/diff?to=${e2.commit}`);
    // The link works against the real server (public_url is only its published name).
    const diff = await fetch(e2.links.diff.replace(PUBLIC_URL, svc.url), { headers: auth(tokens.viewer) });
    assert.equal(diff.status, 200);
    assert.match(await diff.text(), /\+set note="changed by the sse test"/);

    // SSE data is the very bytes the webhook received for the same event id.
    await receiver.waitFor(2);
    const hooked = receiver.received.map((r) => r.body.toString("utf8"));
    assert.ok(hooked.includes(m1.data) && hooked.includes(m2.data), "SSE data equals the webhook body byte for byte");

    sim.setFault("dev-1", "hang");
    const failed = await backup("dev-1");
    assert.equal(failed.status, 504);
    await eventually(() => stream.messages.length >= 3, 10_000, "device.failed");
    const m3 = stream.messages[2]!;
    assert.equal(m3.event, "device.failed");
    const e3 = JSON.parse(m3.data);
    assert.deepEqual([e3.event, e3.tenant, e3.device, e3.state, e3.error.code], ["device.failed", "acme", "dev-1", "failing", "timeout"]);
    assert.equal(typeof e3.error.message, "string");
    assert.ok(!Number.isNaN(Date.parse(e3.time)));
  });

  it("a reconnect with Last-Event-ID gets only the later events, then live ones", async () => {
    const all = await connect(tokens.viewer, { "last-event-id": "0" });
    await eventually(() => all.messages.length >= 3, 10_000, "replay from 0");
    const [, changed, failed] = all.messages as [SseMessage, SseMessage, SseMessage];
    assert.deepEqual([changed.event, failed.event], ["config.changed", "device.failed"]);

    const resumed = await connect(tokens.viewer, { "last-event-id": changed.id });
    const byQuery = await connect(tokens.viewer, {}, `${events()}?last_event_id=${changed.id}`);
    sim.setFault("dev-1", null);
    const ok = await backup("dev-1");
    assert.equal(ok.status, 201);
    for (const c of [resumed, byQuery]) {
      await eventually(() => c.messages.some((m) => m.event === "config.changed"), 10_000, "live events after the replay");
      await eventually(() => c.messages.length >= 3, 10_000, "device.recovered");
      // Replayed: only what followed `changed`; then live: dev-1's first snapshot and its recovery.
      assert.deepEqual(
        c.messages.map((m) => [m.event, JSON.parse(m.data).device]),
        [["device.failed", "dev-1"], ["config.changed", "dev-1"], ["device.recovered", "dev-1"]],
      );
      assert.equal(c.messages[0]!.data, failed.data, "the replay is the same message");
    }
    // A fresh connection without Last-Event-ID starts live, with no backlog.
    const fresh = await connect(tokens.viewer);
    sim.setExport("dev-0", `${readFixture(V7_FIXTURE)}\n/system note\nset note="after reconnect"\n`);
    assert.equal((await backup("dev-0")).status, 201);
    await eventually(() => fresh.messages.length >= 1, 10_000, "a live event");
    // Any replay would have been written before this live event.
    assert.deepEqual(fresh.messages.map((m) => m.event), ["config.changed"], "nothing replayed without Last-Event-ID");

    const bad = await connect(tokens.viewer, { "last-event-id": "not-a-number" });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /Last-Event-ID/);
  });

  it("is tenant-scoped: another tenant's token gets the same 404 as other routes, no token 401", async () => {
    const other = await connect(tokens.other);
    const otherDevices = await fetch(`${svc.url}/api/v1/tenants/acme/devices`, { headers: auth(tokens.other) });
    assert.equal(other.status, 404);
    assert.equal(other.status, otherDevices.status);
    assert.deepEqual(JSON.parse(other.body), await otherDevices.json());
    assert.equal((await connect("")).status, 401);
    assert.equal((await connect(newToken())).status, 401);

    // The other tenant's own stream is valid and sees nothing of acme's events.
    const theirs = await connect(tokens.other, { "last-event-id": "0" }, events("other"));
    assert.equal(theirs.status, 200);
    sim.setExport("dev-0", `${readFixture(V7_FIXTURE)}\n/system note\nset note="tenant scope"\n`);
    assert.equal((await backup("dev-0")).status, 201);
    // Then an event of `other` (its dev-0 is unreachable): any leaked acme event would have arrived before it.
    const res = await fetch(`${svc.url}/api/v1/tenants/other/devices/dev-0/backup`, { method: "POST", headers: auth(tokens.other) });
    assert.equal(res.status, 502);
    await eventually(() => theirs.messages.length >= 1, 10_000, "other's own event");
    assert.deepEqual(
      theirs.messages.map((m) => [m.event, JSON.parse(m.data).tenant]),
      [["device.failed", "other"]],
      "no event of acme reaches tenant other",
    );
  });

  it("sends `: ping` heartbeats and unsubscribes when the client goes away", async () => {
    // A second app on the same context and bus, with a short heartbeat.
    const app = createApp(apiDeps(svc.ctx, { audit: new AuditLog(svc.ctx.config().stateDir), log: silentLogger(), bus: svc.bus, sseHeartbeatMs: 50 }));
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const listeners = () => (svc.bus as unknown as { listeners: Map<string, Set<unknown>> }).listeners.get("acme")?.size ?? 0;
    try {
      const before = listeners();
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/tenants/acme/events`;
      const c = await connect(tokens.viewer, {}, url);
      await eventually(() => c.comments.filter((x) => x === "ping").length >= 2, 10_000, "two heartbeats");
      assert.equal(listeners(), before + 1);
      await c.close();
      await eventually(() => listeners() === before, 10_000, "unsubscribe on client close");
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});
