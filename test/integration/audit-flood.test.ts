import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { importExport } from "../../src/pipeline/index.js";
import { AUDIT_GENESIS, canonicalEntry, entryHash } from "../../src/store/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { FIXTURES, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const newToken = () => randomBytes(18).toString("base64url");
const GIT_ENV = { PATH: process.env.PATH, HOME: "/nonexistent", GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };

interface Setup {
  readonly svc: RunningService;
  readonly dir: string;
  readonly tokens: { viewer: string; admin: string };
  readonly base: string;
}

/** A real service with one archived snapshot of acme/core-1; `prepare` runs on the state folder before it starts. */
async function start(extra: string, prepare: (dir: string) => void = () => {}): Promise<Setup> {
  const dir = tempDir();
  const tokens = { viewer: newToken(), admin: newToken() };
  const file = writeConfig(dir, {
    recipient: keygen(dir).recipient,
    devices: [{ id: "core-1", port: 1 }],
    extra,
    tenantExtra: `    tokens:\n      - { name: noc, role: viewer, sha256: "${sha(tokens.viewer)}" }\n      - { name: boss, role: admin, sha256: "${sha(tokens.admin)}" }\n`,
  });
  prepare(dir);
  const svc = await startService(loadConfig(readFileSync(file, "utf8"), { baseDir: dir }), {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
  const input = path.join(dir, "in.rsc");
  writeFileSync(input, readFileSync(path.join(FIXTURES, "v7.18.2-wifi.rsc")));
  await importExport(svc.ctx, svc.ctx.config().tenants.get("acme")!.deviceById.get("core-1")!, input);
  return { svc, dir, tokens, base: `${svc.url}/api/v1/tenants/acme` };
}

/** Every audit entry of acme on disk, oldest first (all segments). */
function auditLines(dir: string): Array<{ action: string; details: Record<string, unknown> }> {
  const folder = path.join(dir, "state/audit/acme");
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => f.endsWith(".jsonl")).sort();
  } catch {
    return [];
  }
  return files.flatMap((f) =>
    readFileSync(path.join(folder, f), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l)),
  );
}

async function timed(url: string, headers: Record<string, string>): Promise<{ status: number; ms: number; body: string }> {
  const t = process.hrtime.bigint();
  const res = await fetch(url, { headers });
  const body = await res.text();
  return { status: res.status, ms: Number(process.hrtime.bigint() - t) / 1e6, body };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function gitClone(url: string, dest: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("git", ["clone", "--quiet", url, dest], { env: GIT_ENV, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ code: code ?? -1, stderr }));
  });
}

describe("audit log as a target: floods, size, timing and metrics", function () {
  this.timeout(180_000);

  it("1,000 wrong-token requests write a few aggregated auth.denied lines (count kept), and legitimate reads stay fast", async () => {
    const s = await start("limits: { auth_denied_interval: 1s }");
    try {
      const linesBefore = auditLines(s.dir).length;
      let sent = 0;
      const flood = async () => {
        while (sent < 1000) {
          sent++;
          const r = await fetch(`${s.base}/devices`, { headers: { authorization: `Bearer ${newToken()}` } });
          await r.arrayBuffer();
          assert.equal(r.status, 401);
        }
      };
      const legit: number[] = [];
      let flooding = true;
      const reader = (async () => {
        while (flooding) {
          const r = await timed(`${s.base}/devices/core-1/config`, { authorization: `Bearer ${s.tokens.viewer}` });
          assert.equal(r.status, 200);
          legit.push(r.ms);
        }
      })();
      await Promise.all(Array.from({ length: 20 }, flood));
      flooding = false;
      await reader;
      const denied = await until("every denied request counted in the audit log", 30_000, () => {
        const d = auditLines(s.dir).filter((e) => e.action === "auth.denied");
        return d.reduce((n, e) => n + Number(e.details.count), 0) === 1000 ? d : undefined;
      });
      assert.ok(denied.length <= 30, `${denied.length} auth.denied lines for 1,000 denials from one source`);
      assert.deepEqual(denied[0]!.details.reasons, { "invalid token": denied[0]!.details.count });
      assert.ok(auditLines(s.dir).length - linesBefore < 200, "the flood did not turn into one line per request");
      assert.ok(legit.length >= 3, `legitimate reads during the flood: ${legit.length}`);
      assert.ok(median(legit) < 1000, `legitimate config reads took ${Math.round(median(legit))} ms (median) during the flood`);
    } finally {
      await s.svc.close();
    }
  });

  it("a wrong token costs the same for a real tenant and a missing one: nothing is written while answering, the same answer, the same time", async () => {
    const s = await start("limits: { auth_denied_interval: 1h }");
    try {
      const lines = auditLines(s.dir).length;
      const real: number[] = [];
      const missing: number[] = [];
      const bodies = new Set<string>();
      for (let i = 0; i < 300; i++) {
        const headers = { authorization: `Bearer ${newToken()}` };
        const a = await timed(`${s.base}/devices`, headers);
        const b = await timed(`${s.svc.url}/api/v1/tenants/nope-${i % 7}/devices`, headers);
        assert.deepEqual([a.status, b.status], [401, 401]);
        bodies.add(a.body).add(b.body);
        real.push(a.ms);
        missing.push(b.ms);
      }
      assert.equal(bodies.size, 1, "the same answer");
      assert.equal(auditLines(s.dir).length, lines, "no audit line is written on the response path");
      const ratio = median(real) / median(missing);
      assert.ok(ratio > 0.5 && ratio < 2, `median ${median(real).toFixed(2)} ms for a real tenant, ${median(missing).toFixed(2)} ms for a missing one`);
    } finally {
      await s.svc.close();
    }
    // The counts are kept: stopping the service writes them.
    const denied = auditLines(s.dir).filter((e) => e.action === "auth.denied");
    assert.equal(denied.reduce((n, e) => n + Number(e.details.count), 0), 300, "only the configured tenant's denials are written, all of them");
  });

  it("a 600 MB audit log (an earlier version's single file) breaks none of /audit, config, diff and clone", async () => {
    const s = await start("", (dir) => {
      mkdirSync(path.join(dir, "state/audit"), { recursive: true });
      const file = path.join(dir, "state/audit/acme.jsonl");
      writeFileSync(file, "");
      truncateSync(file, 600 * 1024 * 1024); // sparse: fast to write, past V8's string limit if read whole
      const base = { time: "2025-01-01T00:00:00.000Z", actor: "noc", role: "viewer", ip: "127.0.0.1", action: "config.read" as const, device: "core-1", details: {}, prev: AUDIT_GENESIS };
      appendFileSync(file, `\n${canonicalEntry(base).slice(0, -1)},"hash":"${entryHash(base)}"}\n`);
    });
    try {
      const auth = { authorization: `Bearer ${s.tokens.viewer}` };
      const config = await fetch(`${s.base}/devices/core-1/config`, { headers: auth });
      assert.equal(config.status, 200);
      await config.arrayBuffer();
      const diff = await fetch(`${s.base}/devices/core-1/diff`, { headers: auth });
      assert.equal(diff.status, 200);
      await diff.arrayBuffer();
      const clone = await gitClone(`http://x:${s.tokens.viewer}@${new URL(s.svc.url).host}/git/acme.git`, path.join(s.dir, "clone"));
      assert.equal(clone.code, 0, clone.stderr);
      const audit = await until("the reads in the audit listing", 20_000, async () => {
        const r = await fetch(`${s.base}/audit?limit=1000`, { headers: { authorization: `Bearer ${s.tokens.admin}` } });
        assert.equal(r.status, 200);
        const body = (await r.json()) as { entries: Array<{ action: string; time: string }> };
        const actions = body.entries.map((e) => e.action);
        return ["config.read", "diff.read", "repo.clone"].every((a) => actions.includes(a)) ? body.entries : undefined;
      });
      assert.equal(audit.at(-1)!.time, "2025-01-01T00:00:00.000Z", "the old file's entries are listed after the new ones");
      // The old file became segment 1 untouched; new entries went to a new segment, chained to its last entry.
      const folder = path.join(s.dir, "state/audit/acme");
      assert.deepEqual(readdirSync(folder).filter((f) => f.endsWith(".jsonl")).sort(), ["000001.jsonl", "000002.jsonl"]);
    } finally {
      await s.svc.close();
    }
  });

  it("an audited read answers while its entry waits for the disk; a manual backup waits for its own", async () => {
    const s = await start("");
    // Another live process holds the tenant's audit lock: every write waits for it.
    const holder = spawn("sleep", ["120"], { stdio: "ignore" });
    const lock = path.join(s.dir, "state/audit/.acme.lock");
    try {
      writeFileSync(lock, `${holder.pid} test-holder\n`);
      const read = await timed(`${s.base}/devices/core-1/config`, { authorization: `Bearer ${s.tokens.viewer}` });
      assert.equal(read.status, 200, "the read is answered");
      let answered = false;
      const backup = fetch(`${s.base}/devices/core-1/backup`, { method: "POST", headers: { authorization: `Bearer ${s.tokens.admin}` } }).then(async (r) => {
        answered = true;
        return { status: r.status, body: await r.text() };
      });
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(answered, false, "the backup's answer waits until its audit entry is on disk");
      holder.kill("SIGKILL");
      await new Promise((r) => holder.once("exit", r));
      const b = await backup;
      assert.equal(b.status, 502, b.body);
      const actions = await until("both entries on disk", 20_000, () => {
        const a = auditLines(s.dir).map((e) => e.action);
        return a.includes("config.read") && a.includes("backup.manual") ? a : undefined;
      });
      assert.ok(actions.indexOf("config.read") < actions.indexOf("backup.manual"), "in the order they happened");
    } finally {
      holder.kill("SIGKILL");
      await s.svc.close();
    }
  });

  it("anonymous /metrics (no metrics token) answers loopback clients only, never one behind a proxy", async () => {
    const s = await start("");
    try {
      const direct = await fetch(`${s.svc.url}/metrics`);
      assert.equal(direct.status, 200);
      assert.match(await direct.text(), /rosarchive_devices\{tenant="acme"/);
      for (const header of ["x-forwarded-for", "forwarded", "x-real-ip"]) {
        const proxied = await fetch(`${s.svc.url}/metrics`, { headers: { [header]: header === "forwarded" ? "for=203.0.113.9" : "203.0.113.9" } });
        assert.equal(proxied.status, 403, header);
        const text = await proxied.text();
        assert.doesNotMatch(text, /acme/);
        assert.match(JSON.parse(text).error.message, /metrics_token_sha256/);
      }
    } finally {
      await s.svc.close();
    }
  });
});
