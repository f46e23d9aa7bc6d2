import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { readFileSync } from "node:fs";
import { bearer, getJson, importFixture, importText, startApi, type ApiServer } from "../helpers/api.js";
import { FIXTURES, tempDir } from "../helpers/tmp.js";

/**
 * Stock git as an operator runs it: own config ignored, never prompting.
 * Asynchronous: the server under test runs in this same process.
 */
function gitCli(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("git", args, {
      cwd,
      env: { PATH: process.env.PATH, HOME: "/nonexistent", GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function rawRequest(url: string, method: string, rawPath: string, headers: Record<string, string> = {}): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: rawPath, method, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("git smart HTTP (clone with stock git, read only)", function () {
  this.timeout(60_000);
  let api: ApiServer;
  let work: string;
  let remote: string;
  let c2: string;

  before(async () => {
    api = await startApi();
    work = tempDir("rosarchive-git-");
    await importFixture(api, "core-1", "v7.17.2-chr-verbose-sensitive.rsc", "2025-03-01T10:00:00Z");
    await importFixture(api, "edge-2", "v6.46.6-crs125.rsc", "2025-03-01T11:00:00Z");
    const text = readFileSync(path.join(FIXTURES, "v7.17.2-chr-verbose-sensitive.rsc"), "utf8").replace("set name=MikroTik", "set name=core-1");
    c2 = (await importText(api, "core-1", text, "2025-03-02T10:00:00Z")).commit;
    remote = `http://x:${api.tokens.viewer}@${new URL(api.url).host}/git/acme.git`;
  });
  after(() => api.close());

  it("git clone over protocol v2 gets the whole history", async () => {
    const r = await gitCli(["-c", "protocol.version=2", "clone", "--quiet", remote, path.join(work, "full")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await gitCli(["rev-parse", "HEAD"], path.join(work, "full"))).stdout.trim(), c2);
    assert.equal((await gitCli(["rev-list", "--count", "HEAD"], path.join(work, "full"))).stdout.trim(), "4");
    const archived = ((await gitCli(["--git-dir", path.join(api.dir, "repos/acme.git"), "show", "main:fra/core-1.rsc"]))).stdout;
    assert.equal(readFileSync(path.join(work, "full/fra/core-1.rsc"), "utf8"), archived);
  });

  it("a clone with the token in an Authorization header (http.extraHeader) works and leaves no token in .git/config", async () => {
    const dest = path.join(work, "header");
    const plain = `http://${new URL(api.url).host}/git/acme.git`;
    const r = await gitCli(["-c", `http.extraHeader=Authorization: Bearer ${api.tokens.viewer}`, "clone", "--quiet", plain, dest]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await gitCli(["rev-parse", "HEAD"], dest)).stdout.trim(), c2);
    assert.doesNotMatch(readFileSync(path.join(dest, ".git/config"), "utf8"), new RegExp(api.tokens.viewer));
  });

  it("git fetch after a new commit brings it", async () => {
    const text = readFileSync(path.join(FIXTURES, "v6.46.6-crs125.rsc"), "utf8").replace(/^\/system identity\nset name=\S+/m, "/system identity\nset name=edge-2");
    const c3 = (await importText(api, "edge-2", text, "2025-03-03T10:00:00Z")).commit;
    const r = await gitCli(["-c", "protocol.version=2", "fetch", "--quiet", "origin"], path.join(work, "full"));
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await gitCli(["rev-parse", "origin/main"], path.join(work, "full"))).stdout.trim(), c3);
  });

  it("shallow clone --depth 1 (protocol v2 and v0)", async () => {
    for (const v of ["2", "0"]) {
      const dest = path.join(work, `shallow-v${v}`);
      const r = await gitCli(["-c", `protocol.version=${v}`, "clone", "--quiet", "--depth", "1", remote, dest]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await gitCli(["rev-list", "--count", "HEAD"], dest)).stdout.trim(), "1");
    }
  });

  it("push is refused with 403", async () => {
    const dir = path.join(work, "full");
    await gitCli(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "--allow-empty", "-m", "evil"], dir);
    const r = await gitCli(["push", "origin", "HEAD:main"], dir);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /403/);
    // git shows the reason, not only the status.
    assert.match(r.stderr, /^remote: rosarchive: this archive is read-only over HTTP: push is refused/m);
    assert.equal((await gitCli(["--git-dir", path.join(api.dir, "repos/acme.git"), "log", "-1", "--format=%s", "main"])).stdout.includes("evil"), false);
  });

  it("a bad token or a foreign repository: git tells the user why", async () => {
    const bad = await gitCli(["clone", "--quiet", `http://x:not-a-token@${new URL(api.url).host}/git/acme.git`, path.join(work, "bad-token")]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /^remote: rosarchive: a valid token is required: use the tenant's API token as the password/m);
    assert.match(bad.stderr, /Authentication failed/);
    const foreign = await gitCli(["clone", "--quiet", `http://x:${api.tokens.other}@${new URL(api.url).host}/git/acme.git`, path.join(work, "foreign-why")]);
    assert.match(foreign.stderr, /^remote: rosarchive: repository not found, or this token cannot read it/m);
    // Other clients keep the JSON errors of the API.
    const json = await getJson(`${api.url}/git/acme.git/info/refs?service=git-upload-pack`, { authorization: "Basic eDpub3BlCg==" });
    assert.equal(json.status, 401);
    assert.equal(json.body.error.code, "unauthorized");
  });

  it("refuses a clone with another tenant's token, or none", async () => {
    const foreign = `http://x:${api.tokens.other}@${new URL(api.url).host}/git/acme.git`;
    const r = await gitCli(["clone", "--quiet", foreign, path.join(work, "foreign")]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not found|404/i);
    const anon = await gitCli(["clone", "--quiet", `${api.url}/git/acme.git`, path.join(work, "anon")]);
    assert.notEqual(anon.code, 0);
  });

  it("bearer auth works too; answers and refusals over plain HTTP", async () => {
    const ok = await fetch(`${api.url}/git/acme.git/info/refs?service=git-upload-pack`, { headers: bearer(api.tokens.viewer) });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("content-type"), "application/x-git-upload-pack-advertisement");
    await ok.arrayBuffer();
    const none = await fetch(`${api.url}/git/acme.git/info/refs?service=git-upload-pack`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate")!, /^Basic/);
    const push = await fetch(`${api.url}/git/acme.git/info/refs?service=git-receive-pack`, { headers: bearer(api.tokens.viewer) });
    assert.equal(push.status, 403);
    const pushPost = await fetch(`${api.url}/git/acme.git/git-receive-pack`, { method: "POST", headers: bearer(api.tokens.admin), body: "0000" });
    assert.equal(pushPost.status, 403);
    const dumb = await fetch(`${api.url}/git/acme.git/HEAD`, { headers: bearer(api.tokens.viewer) });
    assert.equal(dumb.status, 404);
    const other = await getJson(`${api.url}/git/other.git/info/refs?service=git-upload-pack`, bearer(api.tokens.viewer));
    assert.equal(other.status, 404);
    assert.deepEqual(other.body, { error: { code: "not_found", message: "not found" } });
  });

  it("path traversal never reaches git", async () => {
    const h = bearer(api.tokens.viewer);
    for (const p of [
      "/git/../acme.git/info/refs?service=git-upload-pack",
      "/git/%2e%2e/acme.git/info/refs?service=git-upload-pack",
      "/git/acme.git/../other.git/info/refs?service=git-upload-pack",
      "/git/acme.git/%2e%2e/other.git/info/refs?service=git-upload-pack",
      "/git/%2e%2e%2facme.git/info/refs?service=git-upload-pack",
      "/git/acme.git/objects/../config",
      "/git/acme.git/%2e%2e/%2e%2e/etc/passwd",
      "/git/..%2f..%2fetc.git/info/refs?service=git-upload-pack",
      "/git/%E0%A4%A.git/info/refs",
    ]) {
      const status = await rawRequest(api.url, "GET", p, h);
      assert.ok(status === 404 || status === 400, `${p}: ${status}`);
    }
  });

  it("audits repo.clone", async () => {
    const entries = await api.audit.list("acme", 1000);
    const clones = entries.filter((e) => e.action === "repo.clone");
    assert.ok(clones.length >= 3);
    assert.equal(clones[clones.length - 1]!.actor, "viewer-token");
    assert.ok(clones.some((e) => e.details.protocol === 2), "a protocol v2 session was seen");
    assert.equal((await api.audit.verify("acme")).ok, true);
  });
});
