import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MAX_EVENT_BYTES } from "../../src/notify/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { keygen } from "../helpers/cli.js";
import { fsckStrict } from "../helpers/git.js";
import { eventually, Receiver } from "../helpers/receiver.js";
import { pollWhile, startServe, tokenFor, type ServeProcess } from "../helpers/serve-process.js";
import { startDevices, TEST_PASSWORD } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";

const HEADER = "# 2025-01-02 03:04:05 by RouterOS 7.17.2\n# software id = ABCD-1234\n#\n";

/** 12,000 address-list lines over four menus; `tag` changes every one of them. */
function bigExport(tag: string): string {
  const lines: string[] = [];
  for (let m = 0; m < 4; m++) {
    lines.push(`/ip firewall address-list`);
    for (let i = 0; i < 3000; i++) lines.push(`add address=10.${m}.${i >> 8}.${i & 255} comment=${tag}-${m}-${i} list=blocked-${m}`);
  }
  return `${HEADER}${lines.join("\n")}\n`;
}

/** 300,000 one-line menus (about 2.6 MB). */
function floodExport(tag: string): string {
  return `${HEADER}${Array.from({ length: 300_000 }, (_, i) => `/${tag}${i.toString(36)}`).join("\n")}\n`;
}

/**
 * A worst case for another client: the slowest answer it got, and how many
 * answers it got at all (the measurement must have overlapped the work).
 */
function worst(samples: Array<{ status: number; ms: number }>): { max: number; n: number; failed: number; statuses: number[] } {
  return { max: Math.max(0, ...samples.map((s) => s.ms)), n: samples.length, failed: samples.filter((s) => s.status !== 200).length, statuses: [...new Set(samples.map((s) => s.status))] };
}

/** The generous bound for a busy 2-core machine; the real goal (100 ms at p95) is in the benchmark. */
const OTHERS_WAIT_MS = 1000;

describe("hostile changes: one router's huge change never stalls other tenants", function () {
  this.timeout(300_000);
  let sim: Simulator;
  let serve: ServeProcess;
  let dir: string;
  const receiver = new Receiver();
  const operator = tokenFor("operator");
  const viewer = tokenFor("viewer");
  const beta = tokenFor("viewer");

  before(async () => {
    dir = tempDir();
    sim = await startDevices(2, (i) => ({ id: ["big-1", "flood-1"][i]!, exportText: i === 0 ? bigExport("a") : floodExport("a") }));
    await receiver.start();
    const keys = keygen(dir);
    const hooks = path.join(dir, "hooks");
    mkdirSync(hooks, { recursive: true });
    writeFileSync(path.join(hooks, "config.changed"), `#!/bin/sh\nwc -c >> "$(pwd)/stdin-sizes"\n`);
    chmodSync(path.join(hooks, "config.changed"), 0o755);
    const config = path.join(dir, "config.yaml");
    writeFileSync(
      config,
      `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${hooks}
log_level: info
encryption:
  recipients: [${keys.recipient}]
schedule: { interval: 24h, first_run_window: 24h, connect_timeout: 10s, command_timeout: 120s }
defaults:
  username: backup
  password: "${TEST_PASSWORD}"
tenants:
  acme:
    tokens:
      - ${operator.yaml}
      - ${viewer.yaml}
    webhooks:
      - { url: "${receiver.url}", secret_env: HOOK_SECRET, events: [config.changed] }
    devices:
      - { id: big-1, host: 127.0.0.1, port: ${sim.devices.get("big-1")!.port} }
      - { id: flood-1, host: 127.0.0.1, port: ${sim.devices.get("flood-1")!.port} }
  beta:
    tokens:
      - ${beta.yaml}
    devices:
      - { id: quiet-1, host: 127.0.0.1, port: 1 }
`,
    );
    serve = await startServe(config, { HOOK_SECRET: "whsec-hostile-changes" });
  });

  after(async () => {
    await serve?.kill();
    await receiver.stop();
    await sim?.stop();
  });

  const api = (p: string, token: string, init: RequestInit = {}) =>
    fetch(`${serve.url}/api/v1/tenants${p}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
  const othersRead = () => pollWhile(`${serve.url}/api/v1/tenants/beta/devices`, { authorization: `Bearer ${beta.token}` });

  it("a 12,000-line export whose every line changed: backup and JSON diff finish, another tenant is answered all along", async () => {
    const first = await api("/acme/devices/big-1/backup", operator.token, { method: "POST" });
    assert.equal(first.status, 201, await first.text());
    sim.setExport("big-1", bigExport("b"));

    const during = othersRead();
    const res = await api("/acme/devices/big-1/backup", operator.token, { method: "POST" });
    const reads = worst(await during.stop());
    assert.equal(res.status, 201, serve.logs().slice(-2000));
    const { commit } = (await res.json()) as { commit: string };
    assert.equal(reads.failed, 0);
    assert.ok(reads.n >= 2, `another tenant's reads overlapped the backup (${reads.n})`);
    assert.ok(reads.max < OTHERS_WAIT_MS, `another tenant waited ${reads.max.toFixed(0)} ms during the backup`);

    const diffReads = othersRead();
    const diff = await api(`/acme/devices/big-1/diff?to=${commit}`, viewer.token, { headers: { accept: "application/json" } });
    const diffWait = worst(await diffReads.stop());
    assert.equal(diff.status, 200);
    const body = (await diff.json()) as { stats: { added: number; removed: number }; sections: Array<{ section: string; added: string[]; removed: string[] }> };
    // Every address-list line changed (the comment), the four menu lines did not.
    assert.deepEqual(body.stats, { added: 12_000, removed: 12_000 });
    assert.deepEqual(body.sections.map((s) => [s.section, s.added.length, s.removed.length]), [["/ip firewall address-list", 12_000, 12_000]]);
    assert.ok(body.sections[0]!.added.every((l) => l.includes("comment=b-")) && body.sections[0]!.removed.every((l) => l.includes("comment=a-")));
    assert.ok(diffWait.max < OTHERS_WAIT_MS, `another tenant waited ${diffWait.max.toFixed(0)} ms during the JSON diff`);

    const history = (await (await api("/acme/devices/big-1/history", viewer.token)).json()) as { entries: Array<{ commit: string; stats: unknown; summary: string }> };
    assert.equal(history.entries[0]!.commit, commit);
    assert.deepEqual(history.entries[0]!.stats, { added: 12_000, removed: 12_000 });
    assert.equal(history.entries[0]!.summary, "+12000 -12000 in /ip firewall address-list");
  });

  it("300,000 one-line menus: events stay under their maximum size, history pages stay small, /healthz answers", async () => {
    const health = pollWhile(`${serve.url}/healthz`);
    const first = await api("/acme/devices/flood-1/backup", operator.token, { method: "POST" });
    assert.equal(first.status, 201, serve.logs().slice(-2000));
    sim.setExport("flood-1", floodExport("b"));
    const second = await api("/acme/devices/flood-1/backup", operator.token, { method: "POST" });
    assert.equal(second.status, 201, serve.logs().slice(-2000));
    const healthz = worst(await health.stop());
    assert.equal(healthz.failed, 0, JSON.stringify(healthz));
    assert.ok(healthz.max < 5 * OTHERS_WAIT_MS, `/healthz waited ${healthz.max.toFixed(0)} ms`);

    // Webhooks: two events of flood-1, each body under the documented maximum, sections capped with the rest counted.
    const floodEvents = () => receiver.received.map((r) => ({ bytes: r.body.length, ev: JSON.parse(r.body.toString("utf8")) })).filter((f) => f.ev.device === "flood-1");
    await eventually(() => floodEvents().length >= 2, 60_000, "the two webhooks");
    const flood = floodEvents();
    assert.equal(flood.length, 2);
    for (const { bytes, ev } of flood) {
      assert.ok(bytes <= MAX_EVENT_BYTES, `webhook body of ${bytes} bytes`);
      assert.equal(ev.sections.length, 100);
      // The first snapshot adds every menu (and the header comment), the change replaces every one.
      assert.equal(ev.sections.length + ev.sections_omitted.sections, ev === flood[0]!.ev ? 300_001 : 600_000, JSON.stringify(ev.sections_omitted));
    }
    assert.deepEqual(flood[1]!.ev.stats, { added: 300_000, removed: 300_000 });
    // Hooks got the same bytes on stdin.
    await eventually(() => readFileSync(path.join(dir, "hooks/stdin-sizes"), "utf8").trim().split("\n").length >= 4, 60_000, "the hook runs");
    const sizes = readFileSync(path.join(dir, "hooks/stdin-sizes"), "utf8").trim().split("\n").map(Number);
    assert.ok(sizes.every((n) => n > 0 && n <= MAX_EVENT_BYTES), `hook stdin sizes ${sizes.join(", ")}`);

    // History: the device page and the tenant timeline, each far below a megabyte.
    for (const p of ["/acme/devices/flood-1/history?limit=200", "/acme/history?limit=200"]) {
      const res = await api(p, viewer.token);
      const text = await res.text();
      assert.equal(res.status, 200);
      assert.ok(text.length < 256 * 1024, `${p}: ${text.length} bytes`);
      const page = JSON.parse(text) as { entries: Array<{ device?: string; sections: unknown[]; sections_omitted?: { sections: number } }> };
      const top = page.entries[0]!;
      assert.equal(top.sections.length, 100);
      assert.equal(top.sections_omitted!.sections, 599_900);
    }
    fsckStrict(path.join(dir, "repos/acme.git"));
  });
});
