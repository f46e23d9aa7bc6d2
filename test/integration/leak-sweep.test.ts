import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROUTEROS } from "../../src/routeros/index.js";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import { BIN, keygen } from "../helpers/cli.js";
import { allObjects, fsckStrict, git } from "../helpers/git.js";
import { eventually, Receiver } from "../helpers/receiver.js";
import { distinctive, sensitiveValues } from "../helpers/secrets.js";
import { TEST_PASSWORD, TEST_USER } from "../helpers/simulator.js";
import { filesUnder, FIXTURES, REPO_ROOT, tempDir } from "../helpers/tmp.js";

const WEBHOOK_SECRET = `whsec-${randomBytes(12).toString("hex")}`;
const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/**
 * One line for every entry of the sensitive catalog, each with its own
 * canary value (one quoted with spaces), so the sweep covers every parameter
 * the catalog knows, not only those the fixtures happen to use; then script
 * canaries: a secret inside every script-bearing parameter, in every escape
 * form an export prints, and a secret-named `/container envs` value.
 */
function canaryBlock(tag: string): string {
  const lines: string[] = [];
  ROUTEROS.sensitiveParams.forEach((p, i) => {
    const value = i === 0 ? `"canary ${tag} with spaces ${i}"` : `canary-${tag}-${i}-${randomBytes(4).toString("hex")}`;
    const menu = p.menus?.[0] ?? "/ppp secret";
    lines.push(menu, p.name === "name" ? `add ${p.name}=${value}` : `add comment=leak-${i} ${p.name}=${value}`);
  });
  lines.push(...scriptCanaryLines(tag));
  return `${lines.join("\r\n")}\r\n`;
}

/** The distinctive core of script canary `k` of a device: plain characters that survive any escaping. */
const scriptCanary = (tag: string, k: number) => `cnryscript${tag}x${k}q`;

/**
 * Script bodies as exports print them, each holding canaries in one escape
 * form: `\"` around a quoted value, `\\` and `\$` inside it, `\D0\9F`
 * bytes, `\_` and `\t` around a bare value, a variable, an Authorization
 * header, credentials in a URL, a script inside a script; one line per
 * script-bearing parameter of the catalog.
 */
function scriptCanaryLines(tag: string): string[] {
  const c = (k: number) => scriptCanary(tag, k);
  const out = [
    "/system script",
    String.raw`add name=leak-s1 source=":local pw \"${c(0)}\\\$x\"\r\n/tool fetch url=\"ftp://10.0.0.1/b\" user=u password=\"${c(1)}\\\"q\\\\b\" upload=yes\r\n/tool fetch url=\"https://u:${c(2)}@h.example/\" http-header-field=\"Authorization: Bearer ${c(3)}\""`,
    String.raw`add name=leak-s2 source="/ppp secret add name=ivan password=\"\D0\9F${c(4)}\"\r\n/tool fetch mode=https\_user=api\_password=${c(5)}\t:put done\r\n:global apiToken \"${c(6)}\""`,
    "/system scheduler",
    String.raw`add interval=1d name=leak-s3 on-event="/system script add name=inner source=\"/ppp secret add name=a password=\\\"${c(7)}\\\"\"" start-time=startup`,
    "/container envs",
    `add key=DB_PASSWORD list=leak value=${c(8)}`,
  ];
  let k = 9;
  for (const p of ROUTEROS.scriptParams) {
    if (p.name === "source" && p.menus?.[0] === "/system script") continue; // above
    out.push(p.menus?.[0] ?? "/system script", String.raw`add comment=leak-script-${k} ${p.name}="/tool fetch url=\"https://x.example/\" password=${c(k)}"`);
    k++;
  }
  return out;
}

/** Every script canary of a device (their count depends on the catalog). */
function scriptCanaries(tag: string): string[] {
  return Array.from({ length: 9 + ROUTEROS.scriptParams.length - 1 }, (_, k) => scriptCanary(tag, k));
}

/** `v6.48.4-rb952-wifi.rsc` → `6.48.4`; the header-less v7 file gets a v7 version. */
function versionOf(fixture: string): string {
  return /^v(\d+\.\d+(?:\.\d+)?)/.exec(fixture)?.[1] ?? "7.16.2";
}

/**
 * Secret leaks: the real `serve` process, debug logging, every
 * fixture plus a canary for every catalogued parameter, webhooks, hooks and an
 * SSE client attached; then every place a secret could end up is read back
 * and searched for every plaintext value.
 */
describe("leak sweep: no plaintext secret anywhere but an admin's decrypt", function () {
  this.timeout(240_000);
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".rsc")).sort();
  const ids = fixtures.map((f) => f.replace(/\.rsc$/, "").replace(/[^a-z0-9-]/gi, "-").toLowerCase());
  const texts = new Map<string, string>();
  const tokens = { viewer: randomBytes(24).toString("base64url"), operator: randomBytes(24).toString("base64url"), admin: randomBytes(24).toString("base64url") };
  let sim: Simulator;
  let serve: ChildProcessWithoutNullStreams;
  let dir: string;
  let tmp: string;
  let url: string;
  let logs = "";
  const receiver = new Receiver();
  /** Every API answer body, SSE included, as received. */
  const answers: string[] = [];
  let sse = "";
  let sseAbort: AbortController;
  /** What an admin's decrypt returned: the positive control, kept out of the scan. */
  let decrypted = "";

  const api = async (p: string, role: keyof typeof tokens = "viewer", init: RequestInit = {}) => {
    lastRequest = `${init.method ?? "GET"} ${p}`;
    const res = await fetch(`${url}/api/v1/tenants/acme${p}`, { ...init, headers: { authorization: `Bearer ${tokens[role]}`, ...(init.headers as Record<string, string>) } });
    const text = await res.text();
    return { status: res.status, text };
  };
  const record = async (p: string, role: keyof typeof tokens = "viewer", init: RequestInit = {}) => {
    const r = await api(p, role, init);
    answers.push(`${p}\n${r.text}`);
    return r;
  };

  /** Where the setup is, for the message if it stalls: the step and the end of serve's log. */
  let step = "starting";
  let lastRequest = "none";
  before(async () => {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`setup stalled at: ${step} (last request ${lastRequest})\n${logs.slice(-4000)}`)), 220_000);
    });
    try {
      await Promise.race([setUp(), stalled]);
    } finally {
      clearTimeout(timer);
    }
  });

  async function setUp(): Promise<void> {
    dir = tempDir();
    tmp = path.join(dir, "tmp");
    mkdirSync(tmp);
    for (const [i, f] of fixtures.entries()) texts.set(ids[i]!, `${readFileSync(path.join(FIXTURES, f), "utf8").replace(/\r?\n?$/, "\r\n")}${canaryBlock(String(i))}`);
    sim = await startSimulator({
      devices: fixtures.map((f, i) => ({ id: ids[i]!, exportText: texts.get(ids[i]!)!, version: versionOf(f), username: TEST_USER, password: TEST_PASSWORD })),
    });
    await receiver.start();
    const keys = keygen(dir);
    const hookOut = path.join(dir, "hook-stdin");
    mkdirSync(hookOut);
    for (const event of ["config.changed", "device.failed", "device.blocked", "device.recovered"]) {
      const file = path.join(dir, "hooks", `${event}.d`, "capture");
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `#!/bin/sh\ncat > "${hookOut}/${event}-$$.json"\nenv > "${hookOut}/${event}-$$.env"\n`);
      chmodSync(file, 0o755);
    }
    writeFileSync(
      path.join(dir, "config.yaml"),
      `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
log_level: debug
encryption:
  recipients: [${keys.recipient}]
  identity_file: ${keys.identityFile}
schedule: { interval: 24h, first_run_window: 24h, connect_timeout: 5s, command_timeout: 20s, backoff: [1h] }
limits: { webhook_retry_start: 200ms }
defaults:
  username: ${TEST_USER}
  password_env: ROUTER_PASSWORD
tenants:
  acme:
    tokens:
      - { name: v, role: viewer, sha256: "${sha(tokens.viewer)}" }
      - { name: o, role: operator, sha256: "${sha(tokens.operator)}" }
      - { name: a, role: admin, sha256: "${sha(tokens.admin)}" }
    webhooks:
      - { url: "${receiver.url}", secret_env: WEBHOOK_SECRET }
    devices:
${ids.map((id) => `      - { id: ${id}, host: 127.0.0.1, port: ${sim.devices.get(id)!.port} }`).join("\n")}
`,
    );
    serve = spawn(process.execPath, [BIN, "serve", "-c", path.join(dir, "config.yaml")], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: dir, TMPDIR: tmp, ROUTER_PASSWORD: TEST_PASSWORD, WEBHOOK_SECRET, GIT_CONFIG_NOSYSTEM: "1" },
    });
    serve.stdout.on("data", (c) => (logs += c));
    serve.stderr.on("data", (c) => (logs += c));
    url = (await eventually(() => /"event":"serve.listening".*?"url":"(http:[^"]+)"/.exec(logs)?.[1], 30_000, "serve to listen"))!;

    step = "SSE client";
    // An SSE client for the whole run.
    sseAbort = new AbortController();
    void fetch(`${url}/api/v1/tenants/acme/events`, { headers: { authorization: `Bearer ${tokens.viewer}` }, signal: sseAbort.signal })
      .then(async (res) => {
        for await (const chunk of res.body!) sse += Buffer.from(chunk).toString("utf8");
      })
      .catch(() => {});
    await new Promise((r) => setTimeout(r, 300));

    step = "backups";
    // First backups, then a changed secret on every device (a commit whose diff touches a sealed line).
    for (const id of ids) assert.equal((await record(`/devices/${id}/backup`, "operator", { method: "POST" })).status, 201, logs.slice(-2000));
    for (const id of ids) {
      const next = texts.get(id)!.replace(/canary-(\d+)-1-/, "canary-$1-1-changed-");
      texts.set(id, next);
      sim.setExport(id, next);
      assert.equal((await record(`/devices/${id}/backup`, "operator", { method: "POST" })).status, 201);
    }
    step = "failures";
    // Failure and recovery events: a device that fails, one whose password stops working.
    sim.setFault(ids[0]!, "bad_command");
    assert.equal((await record(`/devices/${ids[0]}/backup`, "operator", { method: "POST" })).status, 502);
    sim.setFault(ids[0]!, null);
    assert.equal((await record(`/devices/${ids[0]}/backup`, "operator", { method: "POST" })).status, 200);
    sim.setPassword(ids[1]!, "rotated-on-the-device");
    assert.equal((await record(`/devices/${ids[1]}/backup`, "operator", { method: "POST" })).status, 502);

    step = "reads";
    // Everything a viewer or admin can read.
    await record("/devices");
    await record("/history?limit=200");
    await record("/audit?limit=200", "admin");
    for (const id of ids) {
      await record(`/devices/${id}`);
      const history = await record(`/devices/${id}/history?limit=200`);
      for (const entry of JSON.parse(history.text).entries as Array<{ commit: string }>) {
        await record(`/devices/${id}/config?at=${entry.commit}`);
      }
      await record(`/devices/${id}/diff`);
      await record(`/devices/${id}/diff`, "viewer", { headers: { accept: "application/json" } });
    }
    step = "search and compare";
    // Search and compare read every device's archived text: sealed values only, whatever the query.
    for (const q of ["q=password%3D", "q=secret", "regex=true&q=(key|passphrase|psk)%3D", "history=true&q=password%3D"]) {
      const r = await record(`/search?${q}&limit=200`);
      assert.equal(r.status, 200, q);
    }
    for (let i = 0; i + 1 < ids.length; i++) {
      for (const extra of ["", "&ignore=false"]) {
        await record(`/compare?a=${ids[i]}&b=${ids[i + 1]}${extra}`);
        await record(`/compare?a=${ids[i]}&b=${ids[i + 1]}${extra}`, "viewer", { headers: { accept: "application/json" } });
      }
    }
    await record("/policy");
    answers.push(await (await fetch(`${url}/metrics`)).text());
    const control = await api(`/devices/${ids[2]}/config?decrypt=true`, "admin");
    assert.equal(control.status, 200);
    decrypted = control.text;

    step = "webhooks, hooks and SSE events";
    await receiver.waitFor(2 * ids.length + 3, 60_000);
    await eventually(() => readdirSync(hookOut).filter((f) => f.endsWith(".json")).length >= 2 * ids.length + 3, 60_000, "hooks");
    await eventually(() => (sse.match(/^event: /gm) ?? []).length >= 2 * ids.length + 3, 30_000, "SSE events");
    sseAbort.abort();
    step = "serve to exit on SIGTERM";
    serve.kill("SIGTERM");
    await new Promise((r) => serve.once("exit", r));
  }

  after(async () => {
    sseAbort?.abort();
    if (serve && serve.exitCode === null && serve.signalCode === null) serve.kill("SIGKILL");
    await receiver.stop();
    await sim?.stop();
  });

  /** Every plaintext secret of every device (fixtures and canaries, script canaries too), the router password and the webhook secret. */
  const secrets = (): string[] => [
    ...new Set([...distinctive([...texts.values()].flatMap((t) => sensitiveValues(t))), ...fixtures.flatMap((_, i) => scriptCanaries(String(i))), TEST_PASSWORD, WEBHOOK_SECRET]),
  ];

  const assertClean = (where: string, haystack: string, extra: string[] = []) => {
    assert.ok(haystack.length > 0, `${where}: something was captured to scan`);
    for (const s of [...secrets(), ...extra]) {
      const at = haystack.indexOf(s);
      assert.equal(at, -1, `${where} holds a secret (${s.slice(0, 3)}…, ${s.length} chars) near ${JSON.stringify(haystack.slice(Math.max(0, at - 40), at))}`);
    }
  };

  it("the canaries reached the archive: an admin's decrypt returns them (the positive control)", () => {
    const canaries = secrets().filter((s) => s.startsWith("canary-2-") || s.startsWith("canary 2 "));
    assert.equal(canaries.length, ROUTEROS.sensitiveParams.length, "one canary per catalog entry");
    for (const c of canaries) assert.ok(decrypted.includes(c), `decrypt shows ${c}`);
    const inScripts = scriptCanaries("2");
    assert.ok(inScripts.length >= 9 + 20, "canaries in every escape form and every script-bearing parameter");
    for (const c of inScripts) assert.ok(decrypted.includes(c), `decrypt shows the script canary ${c}`);
    assert.throws(() => assertClean("decrypt", decrypted), /holds a secret/, "the scan finds plaintext where there is some");
    assert.ok(secrets().length > 9 * ROUTEROS.sensitiveParams.length, `secrets to look for: ${secrets().length}`);
  });

  it("API answers (JSON, sealed downloads, diffs in both forms, search, compare, audit, metrics) hold none", () => {
    assert.ok(answers.length > 5 * ids.length);
    assertClean("an API answer", answers.join("\n"), [tokens.viewer, tokens.operator, tokens.admin]);
  });

  it("the SSE stream holds none", () => {
    assert.match(sse, /event: config\.changed/);
    assert.match(sse, /event: device\.blocked/);
    assertClean("the SSE stream", sse);
  });

  it("webhook bodies and headers hold none", () => {
    const kinds = new Set(receiver.received.map((r) => r.headers["x-rosarchive-event"]));
    assert.deepEqual([...kinds].sort(), ["config.changed", "device.blocked", "device.failed", "device.recovered"]);
    assertClean("a webhook", receiver.received.map((r) => `${JSON.stringify(r.headers)}\n${r.body.toString("utf8")}`).join("\n"));
  });

  it("hook stdin and hook environments hold none", () => {
    const out = path.join(dir, "hook-stdin");
    const text = readdirSync(out).map((f) => readFileSync(path.join(out, f), "utf8")).join("\n");
    assert.match(text, /ROSARCHIVE_EVENT=config\.changed/);
    assertClean("a hook's stdin or environment", text);
  });

  it("debug logs of serve hold none (nor an API token)", () => {
    assert.match(logs, /"level":"debug"/, "debug lines were logged");
    assertClean("a log line", logs, [tokens.viewer, tokens.operator, tokens.admin]);
  });

  it("git objects (every blob, tree and commit, decompressed) hold none; the repository is fsck-clean", () => {
    const gitDir = path.join(dir, "repos/acme.git");
    fsckStrict(gitDir);
    assert.ok(Number(git(gitDir, ["rev-list", "--count", "main"]).trim()) >= 2 * ids.length);
    assertClean("a git object", allObjects(gitDir).toString("utf8"));
  });

  it("state_dir, the rest of data_dir and TMPDIR hold none", () => {
    const gitObjects = path.join(dir, "repos/acme.git/objects");
    const files = [...filesUnder(path.join(dir, "state")), ...filesUnder(path.join(dir, "repos")).filter((f) => !f.startsWith(gitObjects)), ...filesUnder(tmp)];
    assert.ok(files.some((f) => f.includes(`${path.sep}state${path.sep}`)));
    assertClean("a file", files.map((f) => `${f}\n${statSync(f).size < 64 * 1024 * 1024 ? readFileSync(f, "utf8") : ""}`).join("\n"));
  });
});
