import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { openApiDocument } from "../../src/api/index.js";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { validate } from "../helpers/json-schema.js";
import { Receiver } from "../helpers/receiver.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const EXAMPLE = path.join(REPO_ROOT, "docs/examples/webhook-receiver.mjs");
const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/**
 * docs/examples/webhook-receiver.mjs, run as a user would run it, receives
 * real deliveries of a running service and verifies their signatures; the
 * bodies match the event schemas the OpenAPI document and docs/events.md
 * publish.
 */
describe("docs/examples/webhook-receiver.mjs against real deliveries", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let svc: RunningService;
  let example: ChildProcess;
  let exampleOut = "";
  let exampleUrl = "";
  const raw = new Receiver();
  const secret = randomBytes(16).toString("hex");
  const operator = randomBytes(24).toString("base64url");

  before(async () => {
    example = spawn(process.execPath, [EXAMPLE], { env: { PATH: process.env.PATH, WEBHOOK_SECRET: secret, PORT: "0" } });
    let err = "";
    example.stdout!.on("data", (c) => (exampleOut += c));
    example.stderr!.on("data", (c) => (err += c));
    exampleUrl = await until("the example to listen", 30_000, () => /listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(err)?.[1]);
    await raw.start();
    sim = await startDevices(2);
    const dir = tempDir();
    const keys = keygen(dir);
    const file = writeConfig(dir, {
      recipient: keys.recipient,
      devices: [0, 1].map((i) => ({ id: `dev-${i}`, port: sim.devices.get(`dev-${i}`)!.port })),
      extra: "schedule: { interval: 1d, first_run_window: 1d, connect_timeout: 3s, command_timeout: 5s, backoff: [1h] }",
      tenantExtra: `    tokens:\n      - { name: ops, role: operator, sha256: "${sha(operator)}" }\n    webhooks:\n      - { url: "${exampleUrl}/rosarchive", secret_env: HOOK_SECRET }\n      - { url: "${raw.url}", secret_env: HOOK_SECRET }\n`,
    });
    const config = loadConfig(readFileSync(file, "utf8").replace("password: not-a-real-secret", `password: "${TEST_PASSWORD}"`), { baseDir: dir });
    svc = await startService(config, { HOOK_SECRET: secret }, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 }, webhookPollMs: 100 });
  });
  after(async () => {
    await svc?.close();
    await sim?.stop();
    await raw.stop();
    example?.kill("SIGTERM");
  });

  const backup = async (d: string) => (await fetch(`${svc.url}/api/v1/tenants/acme/devices/${d}/backup`, { method: "POST", headers: { authorization: `Bearer ${operator}` } })).json() as Promise<{ commit?: string }>;
  const printed = () => exampleOut.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { verified: boolean; delivery: string; event: string; device: string; commit: string | null });

  it("verifies the signature of each delivery and prints it once", async () => {
    const first = await backup("dev-0");
    sim.setFault("dev-1", "wrong_password");
    await backup("dev-1");
    sim.setExport("dev-0", readFixture(V7_FIXTURE).replace("set name=MikroTik", "set name=receiver"));
    const second = await backup("dev-0");
    const lines = await until("three verified events", 30_000, () => (printed().length >= 3 ? printed() : undefined));
    assert.deepEqual(
      lines.map((l) => [l.event, l.device, l.commit]),
      [["config.changed", "dev-0", first.commit], ["device.blocked", "dev-1", null], ["config.changed", "dev-0", second.commit]],
      "in order, each once",
    );
    assert.ok(lines.every((l) => l.verified));
  });

  it("refuses a body whose signature does not verify, and prints nothing for it", async () => {
    await raw.waitFor(3);
    const real = raw.received[0]!;
    const count = printed().length;
    const tampered = Buffer.from(real.body.toString("utf8").replace('"dev-0"', '"dev-9"'));
    const forged = await fetch(`${exampleUrl}/rosarchive`, { method: "POST", headers: { "content-type": "application/json", "x-rosarchive-signature-256": String(real.headers["x-rosarchive-signature-256"]), "x-rosarchive-delivery": "forged-1" }, body: tampered });
    assert.equal(forged.status, 401);
    const unsigned = await fetch(`${exampleUrl}/rosarchive`, { method: "POST", body: real.body });
    assert.equal(unsigned.status, 401);
    // The same delivery again (a retry after a lost answer): accepted, not acted on twice.
    const again = await fetch(`${exampleUrl}/rosarchive`, { method: "POST", headers: { "x-rosarchive-signature-256": String(real.headers["x-rosarchive-signature-256"]), "x-rosarchive-delivery": String(real.headers["x-rosarchive-delivery"]) }, body: real.body });
    assert.equal(again.status, 204);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(printed().length, count);
  });

  it("delivers bodies that match the published event schemas", () => {
    const doc = openApiDocument() as Record<string, unknown>;
    for (const r of raw.received) {
      const body = JSON.parse(r.body.toString("utf8")) as { event: string };
      const schema = body.event === "config.changed" ? "ConfigChangedEvent" : "DeviceEvent";
      assert.deepEqual(validate({ $ref: `#/components/schemas/${schema}` }, body, doc), [], body.event);
      assert.equal(r.headers["x-rosarchive-event"], body.event);
    }
  });
});
