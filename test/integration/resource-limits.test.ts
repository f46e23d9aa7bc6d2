import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { importExport } from "../../src/pipeline/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { eventually } from "../helpers/receiver.js";
import { FIXTURES, tempDir } from "../helpers/tmp.js";

const BASE = readFileSync(path.join(FIXTURES, "v7.18.2-wifi.rsc"), "utf8");

/** Resource limits: each has a safe default and is configurable; these are the ones no other suite exercises. */
describe("resource limits: defaults and enforcement", function () {
  this.timeout(60_000);

  it("every limit has a safe default", () => {
    const dir = tempDir();
    const c = loadConfig(readFileSync(writeConfig(dir, { recipient: keygen(dir).recipient, devices: [{ id: "core-1" }] }), "utf8"), { baseDir: dir });
    assert.deepEqual(c.limits, {
      maxExportBytes: 64 * 1024 * 1024,
      maxRequestBodyBytes: 1024 * 1024,
      maxConnections: 512,
      webhookTimeoutMs: 10_000,
      webhookRetryStartMs: 10_000,
      hookTimeoutMs: 30_000,
      manualBackupsPerMinute: 10,
      maxConnectionsPerSource: 128,
      headerTimeoutMs: 10_000,
      bodyTimeoutMs: 30_000,
      gitProcesses: 16,
      gitProcessesPerToken: 4,
      eventStreamsPerToken: 8,
      eventStreamBufferBytes: 1024 * 1024,
      auditSegmentBytes: 64 * 1024 * 1024,
      authDeniedIntervalMs: 60_000,
      searchTimeoutMs: 10_000,
    });
    assert.equal(c.schedule.concurrency, 20, "SSH sessions at once");
    assert.equal(c.schedule.connectTimeoutMs, 10_000);
    assert.equal(c.schedule.commandTimeoutMs, 60_000);
  });

  describe("limits.max_connections", () => {
    let svc: RunningService;
    let dir: string;
    before(async () => {
      dir = tempDir();
      const file = writeConfig(dir, { recipient: keygen(dir).recipient, devices: [{ id: "core-1" }], extra: "limits: { max_connections: 3 }" });
      svc = await startService(loadConfig(readFileSync(file, "utf8"), { baseDir: dir }), {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
    });
    after(() => svc?.close());

    const port = () => Number(new URL(svc.url).port);
    const open = () =>
      new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(port(), "127.0.0.1", () => resolve(s));
        s.once("error", reject);
      });
    /** `GET /healthz` on a fresh connection: the status, or `dropped` when the server closes it unanswered. */
    const health = () =>
      new Promise<number | "dropped">((resolve) => {
        const req = http.get({ host: "127.0.0.1", port: port(), path: "/healthz", agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on("error", () => resolve("dropped"));
      });

    it("drops connections past the limit, serves again once one closes, and follows a reload", async () => {
      const idle = [await open(), await open(), await open()];
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await health(), "dropped", "a fourth connection is refused while three are open");
      idle.pop()!.destroy();
      assert.equal(await eventually(async () => ((await health()) === 200 ? 200 : null), 5_000, "a free slot"), 200);

      const raised = readFileSync(path.join(dir, "config.yaml"), "utf8").replace("max_connections: 3", "max_connections: 10");
      await svc.reload(loadConfig(raised, { baseDir: dir }));
      idle.push(await open(), await open());
      assert.equal(await health(), 200, "the reloaded limit applies");
      for (const s of idle) s.destroy();
    });
  });

  describe("limits.webhook_timeout", () => {
    it("a receiver that never answers is given up on after the timeout and retried with the same bytes", async () => {
      let hold = true;
      const bodies: string[] = [];
      const receiver = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
          bodies.push(body);
          if (!hold) res.end("ok"); // else: never answered
        });
      });
      await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
      const url = `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}/hook`;
      const dir = tempDir();
      const file = writeConfig(dir, {
        recipient: keygen(dir).recipient,
        devices: [{ id: "core-1" }],
        extra: "limits: { webhook_timeout: 1s, webhook_retry_start: 200ms }",
        tenantExtra: `    webhooks:\n      - { url: "${url}", secret_env: HOOK_SECRET }\n`,
      });
      const svc = await startService(loadConfig(readFileSync(file, "utf8"), { baseDir: dir }), { HOOK_SECRET: "s3cret-for-the-test" }, {
        log: silentLogger(),
        listen: { host: "127.0.0.1", port: 0 },
        scheduler: { tickMs: 2 ** 31 - 1 },
        webhookPollMs: 100,
      });
      try {
        const input = path.join(dir, "in.rsc");
        writeFileSync(input, BASE);
        await importExport(svc.ctx, svc.ctx.config().tenants.get("acme")!.deviceById.get("core-1")!, input);
        const outbox = path.join(dir, "state/outbox/acme");
        const pending = () => readdirSync(outbox, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith(".json"));
        const timedOut = await eventually(() => {
          const files = pending();
          const text = files.length ? readFileSync(path.join(files[0]!.parentPath, files[0]!.name), "utf8") : "";
          return /"last_error":"timeout"/.test(text) ? text : null;
        }, 20_000, "a timed-out attempt recorded in the outbox");
        assert.match(timedOut!, /"attempts":[1-9]/);
        hold = false;
        await eventually(() => pending().length === 0, 20_000, "delivery after the receiver recovers");
        assert.ok(bodies.length >= 2);
        assert.ok(bodies.every((b) => b === bodies[0]), "every attempt sent identical bytes");
      } finally {
        await svc.close();
        receiver.closeAllConnections();
        await new Promise((r) => receiver.close(r));
      }
    });
  });
});
