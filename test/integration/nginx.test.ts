import assert from "node:assert/strict";
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { fsckStrict } from "../helpers/git.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { issueCert, makeCa } from "../helpers/tls.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const execFileAsync = promisify(execFile);
const NGINX = "/usr/sbin/nginx";
const EXAMPLE = path.join(REPO_ROOT, "deploy/nginx/rosarchive.conf");
const sha = (t: string) => createHash("sha256").update(t).digest("hex");

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The example's server blocks with the test's ports and certificate: every replaced line must exist, so a reshaped example fails here. */
function adapt(example: string, p: { upstream: number; http: number; https: number; cert: string; key: string }): string {
  const swaps: Array<[string, string]> = [
    ["    server 127.0.0.1:8080;", `    server 127.0.0.1:${p.upstream};`],
    ["    listen 80;", `    listen 127.0.0.1:${p.http};`],
    ["    listen [::]:80;", ""],
    ["    listen 443 ssl http2;", `    listen 127.0.0.1:${p.https} ssl http2;`],
    ["    listen [::]:443 ssl http2;", ""],
    ["    ssl_certificate     /etc/letsencrypt/live/archive.example.net/fullchain.pem;", `    ssl_certificate     ${p.cert};`],
    ["    ssl_certificate_key /etc/letsencrypt/live/archive.example.net/privkey.pem;", `    ssl_certificate_key ${p.key};`],
  ];
  let text = example;
  for (const [from, to] of swaps) {
    assert.ok(text.includes(`${from}\n`), `deploy/nginx/rosarchive.conf no longer has the line ${JSON.stringify(from)}: update this test with it`);
    text = text.replace(`${from}\n`, to ? `${to}\n` : "");
  }
  return text;
}

function request(url: string, opts: { ca?: string; headers?: Record<string, string>; method?: string } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith("https:") ? https.request : http.request;
    const req = get(url, { method: opts.method ?? "GET", headers: opts.headers ?? {}, ...(opts.ca && { ca: opts.ca, servername: "localhost" }) }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("nginx: the example reverse-proxy config in front of serve", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let svc: RunningService;
  let nginx: ChildProcess | null = null;
  let base = "";
  let caPem = "";
  let caFile = "";
  let httpPort = 0;
  const viewer = randomBytes(24).toString("base64url");
  const operator = randomBytes(24).toString("base64url");
  const admin = randomBytes(24).toString("base64url");
  const metricsToken = randomBytes(24).toString("base64url");

  before(async function () {
    assert.ok(existsSync(NGINX), "nginx is not installed at /usr/sbin/nginx (Debian package nginx-light; .ci/run installs it)");
    sim = await startDevices(1);
    const dir = tempDir();
    const keys = keygen(dir);
    const file = writeConfig(dir, {
      recipient: keys.recipient,
      devices: [{ id: "dev-0", port: sim.devices.get("dev-0")!.port }],
      extra: `trusted_proxies: [127.0.0.1/32]\nmetrics_token_sha256: "${sha(metricsToken)}"\nschedule: { interval: 1d, first_run_window: 1d, connect_timeout: 3s, command_timeout: 5s }`,
      tenantExtra: `    tokens:\n      - { name: v, role: viewer, sha256: "${sha(viewer)}" }\n      - { name: o, role: operator, sha256: "${sha(operator)}" }\n      - { name: a, role: admin, sha256: "${sha(admin)}" }\n`,
    });
    const config = loadConfig(readFileSync(file, "utf8").replace("password: not-a-real-secret", `password: "${TEST_PASSWORD}"`), { baseDir: dir });
    svc = await startService(config, {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });

    const ca = makeCa(dir);
    const cert = issueCert(ca, "nginx");
    caFile = ca.cert;
    caPem = readFileSync(ca.cert, "utf8");
    httpPort = await freePort();
    const httpsPort = await freePort();
    const prefix = path.join(dir, "nginx");
    for (const d of ["", "tmp", "logs"]) mkdirSync(path.join(prefix, d), { recursive: true });
    const servers = adapt(readFileSync(EXAMPLE, "utf8"), { upstream: Number(new URL(svc.url).port), http: httpPort, https: httpsPort, cert: cert.cert, key: cert.key });
    const conf = path.join(prefix, "nginx.conf");
    const tmp = path.join(prefix, "tmp");
    writeFileSync(
      conf,
      `${process.getuid?.() === 0 ? "user root;\n" : ""}worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
${servers}
}
`,
    );
    const t = spawnSync(NGINX, ["-t", "-p", prefix, "-c", conf], { encoding: "utf8" });
    assert.equal(t.status, 0, `nginx -t:\n${t.stderr}`);
    nginx = spawn(NGINX, ["-p", prefix, "-c", conf, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
    base = `https://127.0.0.1:${httpsPort}`;
    await until("nginx to answer", 30_000, async () => ((await request(`${base}/healthz`, { ca: caPem }).catch(() => null))?.status === 200 ? true : undefined));
  });
  after(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill("SIGQUIT");
      await until("nginx to stop", 15_000, () => (nginx!.exitCode !== null || nginx!.signalCode !== null ? true : undefined)).catch(() => nginx!.kill("SIGKILL"));
    }
    await svc?.close();
    await sim?.stop();
  });

  it("serves the API over TLS and sends plain HTTP to https", async () => {
    const r = await request(`${base}/api/v1/tenants/acme/devices`, { ca: caPem, headers: { authorization: `Bearer ${viewer}` } });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).devices[0].id, "dev-0");
    const plain = await request(`http://127.0.0.1:${httpPort}/healthz`);
    assert.equal(plain.status, 301);
    assert.match(String(plain.headers.location), /^https:\/\//);
  });

  it("records the client nginx saw in the audit log, whatever X-Forwarded-For the client sends", async () => {
    const r = await request(`${base}/api/v1/tenants/acme/devices/dev-0/backup`, { ca: caPem, method: "POST", headers: { authorization: `Bearer ${operator}`, "x-forwarded-for": "203.0.113.9" } });
    assert.ok(r.status === 201 || r.status === 200, r.body);
    const audit = JSON.parse((await request(`${base}/api/v1/tenants/acme/audit`, { ca: caPem, headers: { authorization: `Bearer ${admin}` } })).body);
    const entry = audit.entries.find((e: { action: string }) => e.action === "backup.manual");
    assert.equal(entry.ip, "127.0.0.1", "nginx replaces the client's header with the address it saw");
  });

  it("streams live events through the proxy as they happen (no buffering)", async () => {
    const got: string[] = [];
    const req = https.request(`${base}/api/v1/tenants/acme/events`, { ca: caPem, servername: "localhost", headers: { authorization: `Bearer ${viewer}` } }, (res) => {
      assert.equal(res.statusCode, 200);
      res.setEncoding("utf8");
      res.on("data", (c: string) => got.push(c));
    });
    req.end();
    try {
      await until("the stream to open", 15_000, () => (got.join("").includes(": connected") ? true : undefined));
      sim.setExport("dev-0", readFixture(V7_FIXTURE).replace("set name=MikroTik", "set name=via-nginx"));
      const backup = await request(`${base}/api/v1/tenants/acme/devices/dev-0/backup`, { ca: caPem, method: "POST", headers: { authorization: `Bearer ${operator}` } });
      assert.equal(backup.status, 201, backup.body);
      const commit = JSON.parse(backup.body).commit as string;
      await until("the config.changed event through nginx", 15_000, () => (got.join("").includes(`"commit":"${commit}"`) ? true : undefined));
      assert.match(got.join(""), /event: config\.changed/);
    } finally {
      req.destroy();
    }
  });

  it("lets stock git clone through the proxy over https", async () => {
    const dir = tempDir();
    const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
    for (const k of ["GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"]) delete env[k];
    const clone = path.join(dir, "acme.git");
    // Asynchronously: the service answers from this very process.
    await execFileAsync("git", ["-c", `http.sslCAInfo=${caFile}`, "clone", "--bare", "--quiet", `${base.replace("https://", `https://x:${viewer}@`)}/git/acme.git`, clone], { env, timeout: 60_000 });
    fsckStrict(clone);
    assert.match(execFileSync("git", ["--git-dir", clone, "log", "--format=%s", "main"], { env }).toString("utf8"), /^dev-0: /m);
  });

  it("passes /metrics on to the service, which wants the metrics token from behind a proxy", async () => {
    assert.equal((await request(`${base}/metrics`, { ca: caPem })).status, 401);
    const r = await request(`${base}/metrics`, { ca: caPem, headers: { authorization: `Bearer ${metricsToken}` } });
    assert.equal(r.status, 200);
    assert.match(r.body, /^rosarchive_devices\{/m);
  });
});
