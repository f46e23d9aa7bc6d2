import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { importExport } from "../../src/pipeline/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { FIXTURES, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");
const GIT_ENV = { PATH: process.env.PATH, HOME: "/nonexistent", GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };

function gitCli(args: string[], cwd?: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("git", args, { cwd, env: GIT_ENV, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ code: code ?? -1, stderr }));
  });
}

/** `git http-backend` processes this process started and that still run (read from /proc, not from the service). */
function httpBackends(): number {
  let n = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("http-backend")) n++;
    } catch {
      /* gone meanwhile */
    }
  }
  return n;
}

/** A socket from a chosen loopback source address (127.0.0.0/8 are all local). */
function connectFrom(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1", localAddress }, () => resolve(s));
    s.once("error", reject);
  });
}

/** `GET /healthz` from `localAddress` on a fresh connection: its status, or "dropped". */
function healthFrom(port: number, localAddress: string): Promise<number | "dropped"> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/healthz", localAddress, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve("dropped"));
  });
}

interface Started {
  svc: RunningService;
  dir: string;
  port: number;
  tokens: { viewer: string; other: string };
}

async function start(limits: string): Promise<Started> {
  const dir = tempDir();
  const tokens = { viewer: randomBytes(18).toString("base64url"), other: randomBytes(18).toString("base64url") };
  const file = writeConfig(dir, {
    recipient: keygen(dir).recipient,
    devices: [{ id: "core-1" }],
    extra: limits,
    tenantExtra: `    tokens:\n      - { name: noc, role: viewer, sha256: "${sha(tokens.viewer)}" }\n      - { name: ops, role: operator, sha256: "${sha(tokens.other)}" }\n`,
  });
  const svc = await startService(loadConfig(readFileSync(file, "utf8"), { baseDir: dir }), {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
  return { svc, dir, port: Number(new URL(svc.url).port), tokens };
}

describe("connections and child processes: one client cannot exhaust the service", function () {
  this.timeout(120_000);

  it("slowloris: 520 sockets trickling header bytes from one source do not starve another client (default limits)", async () => {
    const { svc, port } = await start("");
    const attackers: net.Socket[] = [];
    let trickle: NodeJS.Timeout | null = null;
    try {
      const attempts = await Promise.allSettled(Array.from({ length: 520 }, () => connectFrom(port, "127.0.0.2")));
      for (const a of attempts) if (a.status === "fulfilled") attackers.push(a.value);
      for (const s of attackers) {
        s.on("error", () => {});
        s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      }
      trickle = setInterval(() => {
        for (const s of attackers) if (!s.destroyed) s.write("X");
      }, 500);
      await new Promise((r) => setTimeout(r, 500));
      const answers: Array<number | "dropped"> = [];
      for (let i = 0; i < 20; i++) answers.push(await healthFrom(port, "127.0.0.3"));
      assert.deepEqual(answers, Array(20).fill(200), "another source is always served");
      const alive = attackers.filter((s) => !s.destroyed).length;
      assert.ok(alive <= 128, `the trickling source holds at most its share (max_connections_per_source 128): ${alive} open`);
    } finally {
      if (trickle) clearInterval(trickle);
      for (const s of attackers) s.destroy();
      await svc.close();
    }
  });

  it("a client that trickles its headers is cut off after limits.header_timeout", async () => {
    const { svc, port } = await start("limits: { header_timeout: 2s }");
    try {
      const s = await connectFrom(port, "127.0.0.4");
      let got = "";
      let closed = false;
      s.on("data", (c) => (got += c));
      s.on("close", () => (closed = true));
      s.on("error", () => {});
      s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
      const trickle = setInterval(() => !closed && s.write("X"), 200);
      const started = Date.now();
      await until("the server to close the trickling connection", 20_000, () => (closed ? true : undefined));
      clearInterval(trickle);
      assert.ok(Date.now() - started < 15_000, "closed soon after the header timeout");
      assert.doesNotMatch(got, /200 OK/);
    } finally {
      await svc.close();
    }
  });

  it("git processes: a viewer announcing POST bodies it never sends holds at most its per-token share, others get 503 with Retry-After; the body timeout frees them", async () => {
    const { svc, dir, port, tokens } = await start("limits: { git_processes: 4, git_processes_per_token: 3, body_timeout: 2s }");
    const sockets: net.Socket[] = [];
    try {
      const input = path.join(dir, "in.rsc");
      writeFileSync(input, readFileSync(path.join(FIXTURES, "v7.18.2-wifi.rsc")));
      await importExport(svc.ctx, svc.ctx.config().tenants.get("acme")!.deviceById.get("core-1")!, input);
      const stall = async (token: string) => {
        const s = await connectFrom(port, "127.0.0.5");
        s.on("error", () => {});
        let head = "";
        s.on("data", (c) => (head += c));
        s.write(
          `POST /git/acme.git/git-upload-pack HTTP/1.1\r\nHost: x\r\nUser-Agent: git/2.39.5\r\nAuthorization: Basic ${Buffer.from(`x:${token}`).toString("base64")}\r\n` +
            "Content-Type: application/x-git-upload-pack-request\r\nContent-Length: 1000000\r\n\r\n0032want ",
        );
        sockets.push(s);
        return () => head;
      };
      const answers: Array<() => string> = [];
      for (let i = 0; i < 12; i++) answers.push(await stall(tokens.viewer));
      await until("three git processes for the viewer", 20_000, () => (httpBackends() === 3 ? true : undefined));
      const refused = await until("the other nine requests refused", 20_000, () => {
        const r = answers.filter((a) => a().startsWith("HTTP/1.1 503"));
        return r.length === 9 ? r : undefined;
      });
      for (const a of refused) {
        assert.match(a(), /\r\nretry-after: \d+\r\n/i);
        assert.match(a(), /too many git requests at once/);
      }
      // Stock git shows the reason of the 503.
      const busy = await gitCli(["clone", "--quiet", `http://x:${tokens.viewer}@127.0.0.1:${port}/git/acme.git`, path.join(dir, "busy")]);
      assert.notEqual(busy.code, 0);
      assert.match(busy.stderr, /^remote: rosarchive: too many git requests at once \(at most 3 per token, 4 in all\); try again in 5 s/m);
      // The whole-process limit (4): another token gets the one slot left, then 503.
      const other = [await stall(tokens.other), await stall(tokens.other)];
      await until("the other token's requests answered or running", 20_000, () => (httpBackends() === 4 && other.filter((a) => a().startsWith("HTTP/1.1 503")).length === 1 ? true : undefined));
      assert.ok(httpBackends() <= 4);
      // The body never comes: after limits.body_timeout every stalled request is ended and its process killed.
      await until("every stalled git process killed", 30_000, () => (httpBackends() === 0 ? true : undefined));
      // Slots are free again: a real clone works.
      const clone = await gitCli(["clone", "--quiet", `http://x:${tokens.viewer}@127.0.0.1:${port}/git/acme.git`, path.join(dir, "clone")]);
      assert.equal(clone.code, 0, clone.stderr);
    } finally {
      for (const s of sockets) s.destroy();
      await svc.close();
    }
  });

  it("repositories refuse sparse filters (uploadpackfilter.sparse:oid.allow=false), also ones created before the setting", async () => {
    const { svc, dir, port, tokens } = await start("");
    try {
      const input = path.join(dir, "in.rsc");
      writeFileSync(input, readFileSync(path.join(FIXTURES, "v7.18.2-wifi.rsc")));
      await importExport(svc.ctx, svc.ctx.config().tenants.get("acme")!.deviceById.get("core-1")!, input);
      const gitDir = path.join(dir, "repos/acme.git");
      assert.equal(git(gitDir, ["config", "--get", "uploadpackfilter.sparse:oid.allow"]).trim(), "false");
      const url = `http://x:${tokens.viewer}@127.0.0.1:${port}/git/acme.git`;
      const sparse = await gitCli(["clone", "--quiet", "--no-checkout", "--filter=sparse:oid=main:README.md", url, path.join(dir, "sparse")]);
      assert.notEqual(sparse.code, 0, "a sparse filter is refused");
      assert.match(sparse.stderr, /sparse:oid|filter/i);
      const blobless = await gitCli(["clone", "--quiet", "--filter=blob:none", url, path.join(dir, "blobless")]);
      assert.equal(blobless.code, 0, `other filters still work: ${blobless.stderr}`);
    } finally {
      await svc.close();
    }
    // A repository from before the setting gets it when the service opens it.
    const gitDir = path.join(dir, "repos/acme.git");
    git(gitDir, ["config", "--unset", "uploadpackfilter.sparse:oid.allow"]);
    const again = await startService(loadConfig(readFileSync(path.join(dir, "config.yaml"), "utf8"), { baseDir: dir }), {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
    try {
      await again.ctx.repos.get("acme");
      assert.equal(git(gitDir, ["config", "--get", "uploadpackfilter.sparse:oid.allow"]).trim(), "false");
    } finally {
      await again.close();
    }
  });
});
