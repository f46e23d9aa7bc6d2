import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { loadConfig } from "../../src/config/index.js";
import { configChangedEvent, Outbox, verifySignature, WebhookDeliverer } from "../../src/notify/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { Receiver } from "../helpers/receiver.js";
import { tempDir } from "../helpers/tmp.js";

const SECRET = "whsec_" + Buffer.from("twenty-four bytes secret").toString("base64");

/** What a receiver gets from a real delivery: the signature over the body, and a signed timestamp it can check with a Standard Webhooks library. */
describe("webhooks: headers a receiver can verify, with a signed timestamp", function () {
  this.timeout(30_000);

  it("a delivery carries X-Rosarchive-Signature-256 and webhook-id/-timestamp/-signature that the standardwebhooks library accepts", async () => {
    const dir = tempDir();
    const receiver = new Receiver();
    await receiver.start();
    const config = loadConfig(
      `state_dir: ${dir}/state\nencryption:\n  recipients: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p]\ntenants:\n  acme:\n    webhooks:\n      - { url: "${receiver.url}", secret_env: HOOK_SECRET }\n`,
      { baseDir: dir },
    );
    const outbox = new Outbox({ stateDir: config.stateDir, config: () => config, log: silentLogger() });
    const deliverer = new WebhookDeliverer({ stateDir: config.stateDir, config: () => config, env: { HOOK_SECRET: SECRET }, log: silentLogger(), fetch: globalThis.fetch, pollMs: 50 });
    deliverer.start();
    try {
      const event = configChangedEvent(
        { tenant: "acme", device: "core-1", commit: "a".repeat(40), parent: null, collected_at: "2026-11-22T10:00:00Z", trigger: "scheduled", routeros_version: "7.16.2", stats: { added: 1, removed: 0 }, sections: [] },
        "http://127.0.0.1:8080",
        () => "3f6c1b7e-0000-4000-8000-000000000001",
      );
      await outbox.emit(event);
      await receiver.waitFor(1);
      const got = receiver.received[0]!;
      assert.ok(verifySignature(SECRET, got.body, got.headers["x-rosarchive-signature-256"] as string));
      assert.equal(got.headers["webhook-id"], event.id);
      const ts = Number(got.headers["webhook-timestamp"]);
      assert.ok(Math.abs(ts - Date.now() / 1000) < 60, "the sending time, in seconds");
      const headers = { "webhook-id": String(got.headers["webhook-id"]), "webhook-timestamp": String(ts), "webhook-signature": String(got.headers["webhook-signature"]) };
      assert.deepEqual(new Webhook(SECRET).verify(got.body.toString("utf8"), headers), JSON.parse(got.body.toString("utf8")));
    } finally {
      await deliverer.stop();
      await receiver.stop();
    }
  });
});
