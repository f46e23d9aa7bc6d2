import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { Simulator } from "../../src/simulator/index.js";
import { keygen } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { eventually, Receiver } from "../helpers/receiver.js";
import { startServe, tokenFor } from "../helpers/serve-process.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";

const DEVICES = 6;
const RESTARTS = 6;

/**
 * Webhooks keep commit order across restarts: after each start, every
 * device commits at once (the first events after a start are where names
 * were given out of order), the receiver refuses some rounds so deliveries
 * queue up, and serve is killed with SIGKILL at a random moment.
 */
describe("webhooks: commit order per webhook across SIGKILL restarts", function () {
  this.timeout(600_000);
  let sim: Simulator;
  after(() => sim?.stop());

  it(`${RESTARTS} kill -9 restarts with queued deliveries: the receiver sees every commit, first in commit order`, async () => {
    const dir = tempDir();
    sim = await startDevices(DEVICES);
    const receiver = new Receiver();
    await receiver.start();
    const keys = keygen(dir);
    const operator = tokenFor("operator");
    const config = path.join(dir, "config.yaml");
    writeFileSync(
      config,
      `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
log_level: info
encryption:
  recipients: [${keys.recipient}]
schedule: { interval: 24h, first_run_window: 24h, connect_timeout: 10s, command_timeout: 30s }
limits: { webhook_retry_start: 100ms, webhook_timeout: 2s }
defaults:
  username: backup
  password: "${TEST_PASSWORD}"
tenants:
  acme:
    tokens:
      - ${operator.yaml}
    webhooks:
      - { url: "${receiver.url}", secret_env: HOOK_SECRET, events: [config.changed] }
    devices:
${Array.from({ length: DEVICES }, (_, i) => `      - { id: dev-${i}, host: 127.0.0.1, port: ${sim.devices.get(`dev-${i}`)!.port} }`).join("\n")}
`,
    );
    const env = { HOOK_SECRET: "whsec-order" };
    const reported: string[] = [];
    try {
      for (let round = 0; round < RESTARTS; round++) {
        for (let i = 0; i < DEVICES; i++) sim.setExport(`dev-${i}`, `${readFixture(V7_FIXTURE)}\n/system note\nset note="round ${round}"\n`);
        // Every other round the receiver is down in effect (500): those deliveries wait in the outbox across the kill.
        receiver.status = round % 2 === 0 ? 500 : 200;
        const serve = await startServe(config, env);
        try {
          const answers = await Promise.all(
            Array.from({ length: DEVICES }, (_, i) => fetch(`${serve.url}/api/v1/tenants/acme/devices/dev-${i}/backup`, { method: "POST", headers: { authorization: `Bearer ${operator.token}` } })),
          );
          for (const res of answers) {
            const body = (await res.json()) as { changed: boolean; commit: string };
            assert.equal(res.status, 201, JSON.stringify(body));
            reported.push(body.commit);
          }
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 800)));
        } finally {
          await serve.kill();
        }
      }
      receiver.status = 200;
      const last = await startServe(config, env);
      try {
        await eventually(() => reported.every((c) => seen(receiver).includes(c)), 120_000, "every reported commit's webhook");
      } finally {
        await last.stop();
      }
    } finally {
      await receiver.stop();
    }
    const history = git(path.join(dir, "repos/acme.git"), ["rev-list", "--reverse", "main"]).trim().split("\n");
    const order = seen(receiver);
    const positions = order.map((c) => history.indexOf(c));
    assert.ok(positions.every((p) => p >= 0), "every event names a commit of main");
    for (let k = 1; k < positions.length; k++) {
      assert.ok(positions[k]! > positions[k - 1]!, `webhook #${k} (${order[k]}) arrived first after a later commit's (${order[k - 1]}): out of commit order`);
    }
    assert.equal(order.length, RESTARTS * DEVICES, "one event per commit");
  });
});

/** Commits in the order the receiver first saw their event (redeliveries after a kill are expected; at least once). */
function seen(receiver: Receiver): string[] {
  const out: string[] = [];
  for (const r of receiver.received) {
    const commit = (JSON.parse(r.body.toString("utf8")) as { commit: string }).commit;
    if (!out.includes(commit)) out.push(commit);
  }
  return out;
}
