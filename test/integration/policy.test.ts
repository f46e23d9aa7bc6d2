import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { verifySignature } from "../../src/notify/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { importExport } from "../../src/pipeline/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { generateIdentityPair, unsealText } from "../../src/seal/index.js";
import { AuditLog } from "../../src/store/index.js";
import { bearer, getJson } from "../helpers/api.js";
import { cli } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { Receiver } from "../helpers/receiver.js";
import { FIXTURES, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const HOOK_SECRET = "whsec-policy-test-0123456789";
const V7 = "v7.17.2-chr-verbose-sensitive.rsc"; // telnet on, weak SSH crypto, default SNMP community open to all, a WireGuard private key
const V6_CAPSMAN = "v6.46.6-rb2011-capsman.rsc"; // telnet off, no SNMP community line
const PRIVATE_KEY = "yGQ3FH40WUmzvhHvXI3h/1VaVCRaswXXhOtRQTjymUg=";
const NOT_FOUND = '{"error":{"code":"not_found","message":"not found"}}';
const SNMP_PATTERN = "^set \\[ find default=yes \\] (.* )?addresses=(::/0|0\\.0\\.0\\.0/0)( |$)";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");

interface PolicyEventBody {
  event: string;
  id: string;
  tenant: string;
  device: string;
  check: string;
  severity: string;
  commit: string;
  line: { number: number; section: string; text: string } | null;
  missing: string | null;
  links: { policy: string };
}

describe("policy checks: evaluated on every commit and on demand, results per device, events, metric", function () {
  this.timeout(120_000);
  const dir = tempDir();
  const receiver = new Receiver();
  const tokens = { viewer: randomBytes(18).toString("base64url"), operator: randomBytes(18).toString("base64url"), other: randomBytes(18).toString("base64url") };
  let recipient = "";
  let identity = "";
  let svc: RunningService;
  let base: string;
  const commits: Record<string, string> = {};

  const checks = `    policy:
      - { name: telnet-disabled, severity: critical, section: /ip service, must_contain: ['^set telnet .*disabled=yes'] }
      - { name: ssh-strong-crypto, severity: warning, scope: { groups: [fra] }, section: /ip ssh, must_contain: ['strong-crypto=yes'] }
      - { name: no-plaintext-key, severity: info, must_not_contain: ['${PRIVATE_KEY.slice(0, 20)}'] }
`;
  const configText = (extraChecks = "") => `listen: 127.0.0.1:0
public_url: http://rosarchive.test
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
encryption:
  recipients: [${recipient}]
limits: { webhook_retry_start: 200ms, webhook_timeout: 5s }
defaults: { username: backup, password: not-a-real-secret, enabled: false }
tenants:
  acme:
    tokens:
      - { name: noc, role: viewer, sha256: "${sha(tokens.viewer)}" }
      - { name: ops, role: operator, sha256: "${sha(tokens.operator)}" }
    webhooks:
      - { url: "${receiver.url}", secret_env: HOOK_SECRET, events: [policy.violated, policy.resolved] }
    policy_file: policy.yaml
${checks}${extraChecks}    devices:
      - { id: core-1, host: 127.0.0.1, port: 1, group: fra }
      - { id: edge-2, host: 127.0.0.1, port: 1, group: ams }
      - { id: edge-3, host: 127.0.0.1, port: 1, group: fra }
  other:
    tokens:
      - { name: other, role: viewer, sha256: "${sha(tokens.other)}" }
    policy:
      - { name: telnet-disabled, severity: critical, must_contain: ['disabled=yes'] }
    devices:
      - { id: core-1, host: 127.0.0.1, port: 1 }
`;
  const load = (extra = "") => {
    writeFileSync(path.join(dir, "config.yaml"), configText(extra));
    return loadConfig(configText(extra), { baseDir: dir, sourcePath: path.join(dir, "config.yaml") });
  };
  const importFile = async (tenant: string, device: string, text: string, at: string) => {
    const file = path.join(dir, `import-${randomBytes(4).toString("hex")}.rsc`);
    writeFileSync(file, text);
    const d = svc.ctx.config().tenants.get(tenant)!.deviceById.get(device)!;
    return (await importExport(svc.ctx, d, file, Date.parse(at))).commit!;
  };
  const events = () => receiver.received.map((r) => JSON.parse(r.body.toString("utf8")) as PolicyEventBody);
  const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), "utf8");

  before(async () => {
    await receiver.start();
    const pair = await generateIdentityPair();
    recipient = pair.recipient;
    identity = pair.identity;
    writeFileSync(
      path.join(dir, "policy.yaml"),
      `# The SNMP check, from a file the config points to.
- name: snmp-default-community-restricted
  severity: warning
  description: the default community is not addressed to everyone
  scope: { devices: ["core-*", "edge-2"] }
  section: /snmp community
  must_not_contain: ['${SNMP_PATTERN}']
`,
    );
    svc = await startService(load(), { HOOK_SECRET }, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 }, webhookPollMs: 100 });
    base = `${svc.url}/api/v1/tenants/acme`;
  });
  after(async () => {
    await svc?.close();
    await receiver.stop();
  });

  it("a commit that breaks checks fires policy.violated through the outbox to the webhook, signed, naming the line or the missing pattern", async () => {
    commits.core1 = await importFile("acme", "core-1", fixture(V7), "2026-04-01T00:00:00Z");
    await until("three violations delivered", 60_000, () => (receiver.received.length >= 3 ? true : undefined));
    for (const r of receiver.received) {
      assert.equal(r.headers["x-rosarchive-event"], "policy.violated");
      assert.ok(verifySignature(HOOK_SECRET, r.body, String(r.headers["x-rosarchive-signature-256"])));
    }
    const byCheck = new Map(events().map((e) => [e.check, e]));
    assert.deepEqual([...byCheck.keys()].sort(), ["snmp-default-community-restricted", "ssh-strong-crypto", "telnet-disabled"]);
    for (const e of byCheck.values()) {
      assert.equal(e.tenant, "acme");
      assert.equal(e.device, "core-1");
      assert.equal(e.commit, commits.core1);
      assert.equal(e.links.policy, "http://rosarchive.test/api/v1/tenants/acme/policy");
    }
    assert.equal(byCheck.get("telnet-disabled")!.severity, "critical");
    assert.equal(byCheck.get("telnet-disabled")!.missing, "^set telnet .*disabled=yes");
    assert.equal(byCheck.get("telnet-disabled")!.line, null);
    assert.equal(byCheck.get("ssh-strong-crypto")!.missing, "strong-crypto=yes");
    // The SNMP line: its number and section, read back from the archived file.
    const snmp = byCheck.get("snmp-default-community-restricted")!;
    const archived = git(path.join(dir, "repos/acme.git"), ["show", `${commits.core1}:fra/core-1.rsc`]).split("\n");
    assert.equal(archived[snmp.line!.number - 1], snmp.line!.text);
    assert.equal(snmp.line!.section, "/snmp community");
    assert.match(snmp.line!.text, /^set \[ find default=yes \] addresses=::\/0 /);
    // The community name is sealed: the line shows its ciphertext, never `public`.
    assert.match(snmp.line!.text, / name=age:[A-Za-z0-9_-]+ /);
    // Kept per device in state_dir/policy/<tenant>/<device>.json.
    const kept = JSON.parse(readFileSync(path.join(dir, "state/policy/acme/core-1.json"), "utf8"));
    assert.equal(kept.commit, commits.core1);
    assert.deepEqual(Object.keys(kept.checks).sort(), ["no-plaintext-key", "snmp-default-community-restricted", "ssh-strong-crypto", "telnet-disabled"]);
  });

  it("a sealed value never matches its plaintext: the check against the key's plaintext passes, though the decrypted file holds it", async () => {
    const kept = JSON.parse(readFileSync(path.join(dir, "state/policy/acme/core-1.json"), "utf8"));
    assert.equal(kept.checks["no-plaintext-key"].status, "pass");
    const archived = git(path.join(dir, "repos/acme.git"), ["show", `${commits.core1}:fra/core-1.rsc`]);
    assert.ok((await unsealText(archived, [identity], ROUTEROS)).includes(PRIVATE_KEY), "the plaintext is there once decrypted");
  });

  it("shows results in the API: the checks with counts, each device's results, a summary on every device, out of scope means no result", async () => {
    commits.edge2 = await importFile("acme", "edge-2", fixture(V6_CAPSMAN), "2026-04-01T00:00:00Z");
    await until("edge-2 evaluated", 30_000, () => (existsSync(path.join(dir, "state/policy/acme/edge-2.json")) ? true : undefined));
    const p = await getJson(`${base}/policy`, bearer(tokens.viewer));
    assert.equal(p.status, 200);
    const check = (name: string) => (p.body.checks as any[]).find((c) => c.name === name);
    assert.deepEqual(
      ["devices", "passing", "failing", "pending"].map((k) => check("telnet-disabled")[k]),
      [3, 1, 1, 1],
      "core-1 fails, edge-2 passes, edge-3 was never archived",
    );
    assert.equal(check("ssh-strong-crypto").devices, 2, "groups: [fra] holds core-1 and edge-3");
    assert.equal(check("snmp-default-community-restricted").devices, 2, "core-* and edge-2");
    assert.equal(check("snmp-default-community-restricted").description, "the default community is not addressed to everyone");
    const edge2 = (p.body.devices as any[]).find((d) => d.device === "edge-2");
    assert.deepEqual(Object.keys(edge2.checks).sort(), ["no-plaintext-key", "snmp-default-community-restricted", "telnet-disabled"], "ssh-strong-crypto does not apply to ams");
    assert.ok(Object.values(edge2.checks).every((r: any) => r.status === "pass"));
    assert.equal(JSON.parse(readFileSync(path.join(dir, "state/policy/acme/edge-2.json"), "utf8")).checks["ssh-strong-crypto"], undefined);

    const list = await getJson(`${base}/devices`, bearer(tokens.viewer));
    const summary = (id: string) => (list.body.devices as any[]).find((d) => d.id === id).policy;
    assert.deepEqual(
      { ...summary("core-1"), failed: summary("core-1").failed.map((f: any) => f.name).sort() },
      { checks: 4, passing: 1, failing: 3, errors: 0, pending: 0, worst: "critical", failed: ["snmp-default-community-restricted", "ssh-strong-crypto", "telnet-disabled"], commit: commits.core1 },
    );
    assert.equal(summary("edge-2").failing, 0);
    assert.equal(summary("edge-3").pending, 3, "never archived: every check pending");
    assert.equal((await getJson(`${base}/devices/core-1`, bearer(tokens.viewer))).body.policy.worst, "critical");
  });

  it("a commit that fixes a check fires policy.resolved; the metric counts devices failing each check", async () => {
    const metric = async (check: string) => {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      const m = new RegExp(`^rosarchive_policy_violations\\{tenant="acme",check="${check}"\\} (\\d+)$`, "m").exec(text);
      return m ? Number(m[1]) : null;
    };
    assert.equal(await metric("telnet-disabled"), 1);
    assert.equal(await metric("ssh-strong-crypto"), 1);
    assert.equal(await metric("no-plaintext-key"), 0);
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    assert.doesNotMatch(text, /rosarchive_policy_violations\{[^}]*device=/, "one series per check, never per device");

    const before = receiver.received.length;
    commits.core1b = await importFile("acme", "core-1", fixture(V7).replace('set telnet address="" disabled=no', 'set telnet address="" disabled=yes'), "2026-04-02T00:00:00Z");
    await until("the resolution delivered", 60_000, () => (receiver.received.length > before ? true : undefined));
    const resolved = events().slice(before);
    assert.deepEqual(resolved.map((e) => [e.event, e.check, e.commit]), [["policy.resolved", "telnet-disabled", commits.core1b]]);
    assert.equal(receiver.received[before]!.headers["x-rosarchive-event"], "policy.resolved");
    assert.equal(await metric("telnet-disabled"), 0);
  });

  it("POST policy/run evaluates the whole fleet now (operator, audited); a viewer is refused", async () => {
    const viewer = await fetch(`${base}/policy/run`, { method: "POST", headers: bearer(tokens.viewer) });
    assert.equal(viewer.status, 403);
    const before = receiver.received.length;
    const r = await fetch(`${base}/policy/run`, { method: "POST", headers: bearer(tokens.operator) });
    assert.equal(r.status, 200);
    const summary = (await r.json()) as any;
    assert.deepEqual(
      { devices: summary.devices, failing: summary.failing, passing: summary.passing, violated: summary.violated, resolved: summary.resolved },
      { devices: 2, failing: 2, passing: 5, violated: 0, resolved: 0 },
      "core-1: ssh and snmp fail, telnet and the key pass; edge-2: three pass; nothing changed, so no event",
    );
    assert.equal(summary.commit, git(path.join(dir, "repos/acme.git"), ["rev-parse", "main"]).trim());
    // Events are in the outbox before the run answers: none waiting there and none delivered means none emitted.
    const waiting = readdirSync(path.join(dir, "state/outbox/acme")).flatMap((hook) => readdirSync(path.join(dir, "state/outbox/acme", hook)).filter((f) => f.endsWith(".json")));
    assert.deepEqual(waiting, []);
    assert.equal(receiver.received.length, before, "no new event");
    const audit = await new AuditLog(path.join(dir, "state")).list("acme", 1000);
    const run = audit.find((e) => e.action === "policy.run")!;
    assert.equal(run.actor, "ops");
    assert.equal((run.details as { devices: number }).devices, 2);
  });

  it("another tenant's token gets the same 404 bytes as a missing device; its own results stay its own", async () => {
    const missing = await (await fetch(`${base}/devices/nope`, { headers: bearer(tokens.viewer) })).text();
    assert.equal(missing, NOT_FOUND);
    for (const [method, url] of [["GET", `${base}/policy`], ["POST", `${base}/policy/run`]] as const) {
      const res = await fetch(url, { method, headers: bearer(tokens.other) });
      assert.equal(res.status, 404, `${method} ${url}`);
      assert.equal(await res.text(), missing);
    }
    await importFile("other", "core-1", fixture(V7), "2026-04-01T00:00:00Z");
    await until("other's core-1 evaluated", 30_000, () => (existsSync(path.join(dir, "state/policy/other/core-1.json")) ? true : undefined));
    const own = await getJson(`${svc.url}/api/v1/tenants/other/policy`, bearer(tokens.other));
    assert.deepEqual(own.body.devices.map((d: any) => d.device), ["core-1"]);
    assert.ok(!events().some((e) => e.tenant === "other"), "acme's webhook hears only acme");
    const acme = await getJson(`${base}/policy`, bearer(tokens.viewer));
    assert.ok(!JSON.stringify(acme.body).includes("other"), "nothing of tenant other in acme's answer");
  });

  it("a reload that adds a check evaluates it in the background (NTP client, within its section)", async () => {
    const before = receiver.received.length;
    await svc.reload(load("      - { name: ntp-client-enabled, severity: warning, section: /system ntp client, must_contain: ['(^| )enabled=yes( |$)'] }\n"));
    await until("the new check's violation", 60_000, () => (events().slice(before).some((e) => e.check === "ntp-client-enabled") ? true : undefined));
    const e = events().slice(before).find((x) => x.check === "ntp-client-enabled")!;
    assert.equal(e.device, "core-1", "core-1's NTP client is disabled");
    assert.equal(e.missing, "(^| )enabled=yes( |$)");
    // edge-2's v6 export does not configure an NTP client either.
    assert.ok(events().slice(before).some((x) => x.check === "ntp-client-enabled" && x.device === "edge-2"));
  });

  it("rosarchive policy run evaluates from the CLI and queues the events in the outbox for serve to deliver", async () => {
    await svc.close();
    const configFile = path.join(dir, "config.yaml");
    writeFileSync(configFile, configText("      - { name: wireguard-present, severity: info, must_not_contain: ['^/interface wireguard$'] }\n"));
    const r = cli(["policy", "run", "-c", configFile, "acme"], { env: { HOOK_SECRET } });
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.tenant, "acme");
    assert.equal(summary.violated, 1, "core-1 has a WireGuard interface");
    const outbox = path.join(dir, "state/outbox/acme");
    const bodies = readdirSync(outbox).flatMap((hook) => readdirSync(path.join(outbox, hook)).map((f) => JSON.parse(readFileSync(path.join(outbox, hook, f), "utf8")).body as string));
    assert.ok(bodies.some((b) => JSON.parse(b).check === "wireguard-present" && JSON.parse(b).event === "policy.violated"));
    assert.equal(cli(["policy", "--help"]).code, 0);
    const bad = cli(["policy", "run", "-c", configFile, "nope"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /tenant nope is not in the config/);
    // restart for after(): close() of a closed service must not fail
    svc = await startService(loadConfig(readFileSync(configFile, "utf8"), { baseDir: dir }), { HOOK_SECRET }, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 }, webhookPollMs: 100 });
  });
});
