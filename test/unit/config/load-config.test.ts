import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../../src/config/index.js";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const base = (extra = "") => `
encryption:
  recipients: [${RECIPIENT}]
tenants:
  acme:
    devices:
      - { id: core-1, host: 10.0.0.1, group: fra }
      - { id: edge-7, host: 10.0.0.7, port: 2222, interval: 1h, enabled: false }
${extra}`;

function problems(text: string): string[] {
  try {
    loadConfig(text, { baseDir: "/etc/rosarchive" });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail("config was accepted");
}

describe("config: loadConfig", () => {
  it("fills defaults, merges device defaults and resolves paths", () => {
    const c = loadConfig(base("defaults: { username: backup, password_env: ROUTER_PASSWORD }"), { baseDir: "/etc/rosarchive" });
    assert.equal(c.listen.host, "127.0.0.1");
    assert.equal(c.listen.port, 8080);
    assert.equal(c.dataDir, "/etc/rosarchive/repos");
    assert.equal(c.schedule.intervalMs, 6 * 3600_000);
    assert.deepEqual(c.schedule.backoffMs, [300_000, 900_000, 3_600_000]);
    const acme = c.tenants.get("acme")!;
    const core = acme.deviceById.get("core-1")!;
    assert.equal(core.port, 22);
    assert.equal(core.path, "fra/core-1.rsc");
    assert.equal(core.credentials.password_env, "ROUTER_PASSWORD");
    const edge = acme.deviceById.get("edge-7")!;
    assert.equal(edge.path, "edge-7.rsc");
    assert.equal(edge.intervalMs, 3600_000);
    assert.equal(edge.enabled, false);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(core));
  });

  it("names the key path of a missing device host", () => {
    const text = base().replace("{ id: edge-7, host: 10.0.0.7,", "{ id: edge-7,");
    assert.deepEqual(problems(text), ["tenants.acme.devices[1].host: required"]);
  });

  it("rejects unknown keys by path", () => {
    assert.deepEqual(problems(base("schedule: { intervall: 5m }")), ["schedule.intervall: unknown key"]);
  });

  it("requires at least one valid recipient", () => {
    assert.match(problems(base().replace(`[${RECIPIENT}]`, "[]")).join("\n"), /^encryption\.recipients: at least one recipient/m);
    assert.match(problems(base().replace(RECIPIENT, "age1nope")).join("\n"), /^encryption\.recipients\[0\]: must be an age X25519 recipient/m);
    assert.match(problems("tenants: {}\n").join("\n"), /^encryption: required/m);
  });

  it("rejects identifiers like ../x and duplicate devices", () => {
    assert.match(problems(base().replace("id: core-1", "id: ../x")).join("\n"), /tenants\.acme\.devices\[0\]\.id: must/);
    assert.match(problems(base().replace("id: edge-7", "id: core-1")).join("\n"), /devices\[1\]\.id: duplicate device id/);
    assert.match(problems(base().replace("  acme:", "  Acme:")).join("\n"), /tenants/);
  });

  it("refuses devices whose files would remove each other: a device file that is another group's folder, or the same path", () => {
    const folder = problems(base().replace("{ id: edge-7, host: 10.0.0.7,", "{ id: fra.rsc, group: x, host: 10.0.0.8 }\n      - { id: fra, host: 10.0.0.9 }\n      - { id: e7, host: 10.0.0.7, group: fra.rsc,"));
    assert.match(folder.join("\n"), /device e7 collides with device fra \(tenants\.acme\.devices\[2\]\): fra\.rsc is the file of fra and the folder of e7's group/);
    // A device id may hold a dot, so `core` and group `core.rsc` is the same clash written the other way.
    const same = problems(base().replace("{ id: core-1, host: 10.0.0.1, group: fra }", "{ id: core, host: 10.0.0.1 }").replace("{ id: edge-7, host: 10.0.0.7,", "{ id: e7, group: core.rsc, host: 10.0.0.7,"));
    assert.match(same.join("\n"), /devices\[1\]: device e7 collides with device core \(tenants\.acme\.devices\[0\]\)/);
  });

  it("rejects bad durations, webhooks without a secret, and YAML syntax errors", () => {
    assert.match(problems(base("schedule: { interval: soon }")).join("\n"), /schedule\.interval: must be a duration/);
    const hook = base().replace("    devices:", "    webhooks: [{ url: 'https://h.example/x' }]\n    devices:");
    assert.match(problems(hook).join("\n"), /webhooks\[0\]\.secret_env: required/);
    assert.match(problems("tenants: [\n").join("\n"), /^\(yaml\)/);
  });
});

describe("config: remote collectors (nats, site, role: collector)", () => {
  it("reads the nats block with its defaults, the device site and the index key file", () => {
    const c = loadConfig(base(`nats: { url: "nats://127.0.0.1:4222", user: core, password_env: NATS_PASSWORD }`).replace("group: fra }", "group: fra, site: fra-dc }"), { baseDir: "/etc/rosarchive" });
    assert.deepEqual(c.nats?.servers, ["nats://127.0.0.1:4222"]);
    assert.equal(c.nats?.streamPrefix, "rosarchive");
    assert.equal(c.nats?.ackWaitMs, 30_000);
    assert.equal(c.nats?.jobDeadlineMs, 15 * 60_000);
    assert.equal(c.tenants.get("acme")!.deviceById.get("core-1")!.site, "fra-dc");
    assert.equal(c.tenants.get("acme")!.deviceById.get("edge-7")!.site, "default");
    assert.equal(c.encryption.indexKeyFile, "/etc/rosarchive/state/secret-index.key");
    assert.equal(loadConfig(base(), { baseDir: "/x" }).nats, null, "no nats block: one process");
  });

  it("names bad nats keys, a site with a dot and mixed auth", () => {
    const dotted = problems(base(`nats: { url: "nats://h:4222" }`).replace("group: fra }", "group: fra, site: fra.dc }"));
    assert.ok(dotted.some((l) => l.startsWith("tenants.acme.devices[0].site:")), dotted.join("\n"));
    const p = problems(base(`nats: { url: "http://x", ack_wait: soon, extra: 1, user: u, creds_file: /c }`));
    assert.ok(p.some((l) => l.startsWith("nats.url:")), p.join("\n"));
    assert.ok(p.some((l) => l.startsWith("nats.ack_wait:")), p.join("\n"));
    assert.ok(p.includes("nats.extra: unknown key"), p.join("\n"));
    const q = problems(base(`nats: { url: "nats://h:4222", user: u, creds_file: /c }`));
    assert.ok(q.some((l) => l.startsWith("nats: choose one")), q.join("\n"));
  });

  it("accepts a collector file without tenants, and refuses tokens or webhooks in one", () => {
    const c = loadConfig(`role: collector\nnats: { url: "nats://h:4222" }\ncollector: { id: c1, sites: [a, b], listen: "127.0.0.1:9464" }\nencryption: { recipients: [${RECIPIENT}], index_key_file: ./index.key }\ndefaults: { username: backup, password_env: P }\n`, { baseDir: "/srv" });
    assert.equal(c.role, "collector");
    assert.equal(c.tenants.size, 0);
    assert.deepEqual(c.collector.sites, ["a", "b"]);
    assert.deepEqual(c.collector.listen, { host: "127.0.0.1", port: 9464 });
    assert.equal(c.encryption.indexKeyFile, "/srv/index.key");
    assert.equal(c.defaults.password_env, "P");
    const p = problems(`role: collector\nnats: { url: "nats://h:4222" }\nencryption: { recipients: [${RECIPIENT}] }\ntenants:\n  acme:\n    tokens: [{ name: n, role: viewer, sha256: "${"a".repeat(64)}" }]\n`);
    assert.ok(p.some((l) => l.startsWith("tenants.acme.tokens:")), p.join("\n"));
    assert.ok(problems(`encryption: { recipients: [${RECIPIENT}] }\n`).some((l) => l.startsWith("tenants:")), "a core file still needs tenants");
  });
});

describe("config: the shipped examples", () => {
  it("collector.example.yaml is a valid collector file", async () => {
    const { readFileSync } = await import("node:fs");
    const { REPO_ROOT } = await import("../../helpers/tmp.js");
    const path = await import("node:path");
    const c = loadConfig(readFileSync(path.join(REPO_ROOT, "collector.example.yaml"), "utf8"), { baseDir: "/etc/rosarchive" });
    assert.equal(c.role, "collector");
    assert.deepEqual(c.collector.sites, ["fra-dc"]);
    assert.equal(c.nats?.credsFile, "/etc/rosarchive/fra-1.creds");
    assert.equal(c.encryption.indexKeyFile, "/etc/rosarchive/secret-index.key");
  });
});
