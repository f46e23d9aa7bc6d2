import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { verifySignature } from "../../src/notify/index.js";
import { BIN, cli, keygen, writeConfig } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { Receiver } from "../helpers/receiver.js";
import { FIXTURES, REPO_ROOT, tempDir } from "../helpers/tmp.js";

const SECRET = "whsec-test-0123456789";

function startServe(config: string): ChildProcess {
  return spawn(process.execPath, [BIN, "serve", "-c", config], { cwd: REPO_ROOT, env: { ...process.env, HOOK_SECRET: SECRET }, stdio: ["ignore", "ignore", "pipe"] });
}

describe("webhooks: signed, durable, in order", function () {
  this.timeout(120_000);

  it("survive a receiver outage and a SIGKILL of serve: every event arrives, in commit order, same ids", async () => {
    const dir = tempDir();
    const receiver = new Receiver();
    await receiver.start();
    await receiver.stop(); // keep the port, receiver down
    const keys = keygen(dir);
    const config = writeConfig(dir, {
      recipient: keys.recipient,
      devices: [{ id: "core-1" }, { id: "edge-1", group: "fra" }],
      extra: "limits: { webhook_retry_start: 200ms, webhook_timeout: 2s }",
      tenantExtra: `    webhooks:\n      - { url: "${receiver.url}", secret_env: HOOK_SECRET, events: [config.changed] }\n`,
    });
    const base = readFileSync(path.join(FIXTURES, "v7.18.2-wifi.rsc"), "utf8");
    const commits: string[] = [];
    for (let i = 0; i < 6; i++) {
      const file = path.join(dir, `e${i}.rsc`);
      writeFileSync(file, `${base}\n/system note\nset note="change ${i}"\n`);
      const r = cli(["import", "-c", config, i % 2 ? "acme/edge-1" : "acme/core-1", file], { env: { HOOK_SECRET: SECRET } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      commits.push(JSON.parse(r.stdout).commit);
    }
    // serve tries, fails (receiver down), and is killed mid-retry.
    const first = startServe(config);
    await new Promise((r) => setTimeout(r, 1500));
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));

    await receiver.start(receiver.port);
    const second = startServe(config);
    try {
      await receiver.waitFor(6);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      second.kill("SIGTERM");
      await new Promise((r) => second.once("exit", r));
      await receiver.stop();
    }
    const seenIds = new Map<string, string>();
    const order: string[] = [];
    for (const r of receiver.received) {
      assert.equal(r.headers["content-type"], "application/json");
      assert.equal(r.headers["x-rosarchive-event"], "config.changed");
      assert.ok(verifySignature(SECRET, r.body, r.headers["x-rosarchive-signature-256"] as string), "signature covers the raw body");
      const ev = JSON.parse(r.body.toString("utf8"));
      assert.equal(ev.id, r.headers["x-rosarchive-delivery"]);
      const known = seenIds.get(ev.commit);
      if (known) assert.equal(known, ev.id, "a redelivery keeps its id");
      else {
        seenIds.set(ev.commit, ev.id);
        order.push(ev.commit);
      }
      assert.equal(ev.tenant, "acme");
      assert.match(ev.links.diff, new RegExp(`/api/v1/tenants/acme/devices/${ev.device}/diff\\?to=${ev.commit}$`));
      assert.deepEqual(Object.keys(ev.stats), ["added", "removed"]);
    }
    assert.deepEqual(order, commits, "each commit's event arrived, in commit order");
    const parents = commits.map((c) => git(path.join(dir, "repos/acme.git"), ["rev-parse", `${c}^`]).trim());
    const bodies = receiver.received.map((r) => JSON.parse(r.body.toString()));
    for (let i = 0; i < commits.length; i++) assert.equal(bodies.find((b) => b.commit === commits[i]).parent, parents[i]);
  });
});
