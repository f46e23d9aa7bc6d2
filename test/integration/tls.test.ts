import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { plaintextWarning } from "../../src/cli/listen.js";
import { startService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observe/index.js";
import { BIN, keygen } from "../helpers/cli.js";
import { fsckStrict } from "../helpers/git.js";
import { issueCert, makeCa, servedFingerprint } from "../helpers/tls.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/** GET over https trusting only `ca`. */
function httpsGet(url: string, ca: string | null, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { headers, ...(ca ? { ca } : {}) }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
  });
}

describe("tls: serve terminates TLS itself, and reloads its certificate on SIGHUP", function () {
  this.timeout(120_000);
  let serve: ChildProcess | null = null;
  afterEach(() => {
    if (serve && serve.exitCode === null) serve.kill("SIGKILL");
    serve = null;
  });

  it("answers the API and git clone over https with the configured certificate; SIGHUP puts a renewed one in force; a broken one is refused", async () => {
    const dir = tempDir();
    const ca = makeCa(dir);
    const first = issueCert(ca, "server-1");
    const certFile = path.join(dir, "tls-cert.pem");
    const keyFile = path.join(dir, "tls-key.pem");
    copyFileSync(first.cert, certFile);
    copyFileSync(first.key, keyFile);
    const keys = keygen(dir);
    const token = randomBytes(24).toString("base64url");
    const file = path.join(dir, "config.yaml");
    writeFileSync(
      file,
      `listen: 127.0.0.1:0
data_dir: ./repos
state_dir: ./state
hooks_dir: ./hooks
tls: { cert_file: ./tls-cert.pem, key_file: ./tls-key.pem }
encryption: { recipients: [${keys.recipient}] }
tenants:
  acme:
    tokens: [{ name: noc, role: viewer, sha256: "${sha(token)}" }]
`,
    );
    let logs = "";
    serve = spawn(process.execPath, [BIN, "serve", "-c", file], { cwd: REPO_ROOT, env: { ...process.env } });
    serve.stdout!.on("data", (c) => (logs += c));
    serve.stderr!.on("data", (c) => (logs += c));
    const url = await until("serve to listen", 30_000, () => /"event":"serve.listening".*?"url":"(https:[^"]+)"/.exec(logs)?.[1]);
    assert.doesNotMatch(logs, /serve\.plaintext/, "loopback with TLS: no warning");
    const port = Number(new URL(url).port);
    const caPem = readFileSync(ca.cert, "utf8");

    assert.deepEqual(await httpsGet(`${url}/healthz`, caPem), { status: 200, body: '{"status":"ok"}' });
    await assert.rejects(httpsGet(`${url}/healthz`, null), /self-signed|unable to verify|self signed/i, "the chain is the test CA's, not a public one");
    const devices = await httpsGet(`${url}/api/v1/tenants/acme/devices`, caPem, { authorization: `Bearer ${token}` });
    assert.equal(devices.status, 200);
    assert.deepEqual(JSON.parse(devices.body), { tenant: "acme", devices: [] });
    assert.equal(await servedFingerprint("127.0.0.1", port, caPem), first.fingerprint256);

    // Stock git over https, trusting the test CA (http.sslCAInfo; the environment's CA overrides would win over it).
    const gitEnv: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
    for (const k of ["GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSL_NO_VERIFY"]) delete gitEnv[k];
    const clone = path.join(dir, "clone.git");
    execFileSync("git", ["-c", `http.sslCAInfo=${ca.cert}`, "clone", "--bare", "--quiet", `https://noc:${token}@127.0.0.1:${port}/git/acme.git`, clone], { env: gitEnv, stdio: ["ignore", "pipe", "pipe"] });
    fsckStrict(clone);
    assert.match(execFileSync("git", ["--git-dir", clone, "show", "main:README.md"], { env: gitEnv }).toString("utf8"), /RouterOS configuration archive: acme/);
    assert.throws(
      () => execFileSync("git", ["clone", "--bare", "--quiet", `https://noc:${token}@127.0.0.1:${port}/git/acme.git`, path.join(dir, "untrusted.git")], { env: gitEnv, stdio: ["ignore", "pipe", "pipe"] }),
      /certificate|SSL/i,
      "without the CA, git refuses the certificate",
    );

    // Renewal: new files under the same names, then SIGHUP.
    const second = issueCert(ca, "server-2");
    assert.notEqual(second.fingerprint256, first.fingerprint256);
    copyFileSync(second.cert, certFile);
    copyFileSync(second.key, keyFile);
    serve.kill("SIGHUP");
    await until("the renewed certificate to be served", 30_000, async () => ((await servedFingerprint("127.0.0.1", port, caPem)) === second.fingerprint256 ? true : undefined));
    assert.equal((await httpsGet(`${url}/healthz`, caPem)).status, 200);

    // A key that does not belong to the certificate: the reload is refused, the renewed certificate stays.
    copyFileSync(first.key, keyFile);
    serve.kill("SIGHUP");
    await until("the refusal to be logged", 30_000, () => (/"event":"config.reload_refused".*tls/.test(logs) ? true : undefined));
    assert.equal(await servedFingerprint("127.0.0.1", port, caPem), second.fingerprint256);

    serve.kill("SIGTERM");
    await until("serve to stop", 30_000, () => (serve!.exitCode !== null ? true : undefined));
    assert.equal(serve.exitCode, 0);
  });

  it("refuses to start when the certificate and key do not belong together", async () => {
    const dir = tempDir();
    const ca = makeCa(dir);
    const a = issueCert(ca, "a");
    const b = issueCert(ca, "b");
    const keys = keygen(dir);
    const file = path.join(dir, "config.yaml");
    writeFileSync(file, `listen: 127.0.0.1:0\nstate_dir: ./state\ndata_dir: ./repos\ntls: { cert_file: ${a.cert}, key_file: ${b.key} }\nencryption: { recipients: [${keys.recipient}] }\ntenants: { acme: {} }\n`);
    const r = execFileSyncResult([BIN, "serve", "-c", file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^tls: the certificate and key do not load together/m);
  });

  it("warns at start when it listens beyond loopback without TLS", async () => {
    const dir = tempDir();
    const keys = keygen(dir);
    const text = (listen: string, extra = "") => `listen: ${listen}\nstate_dir: ${dir}/state\ndata_dir: ${dir}/repos\n${extra}encryption: { recipients: [${keys.recipient}] }\ntenants: { acme: {} }\n`;
    const config = (listen: string, extra = "") => loadConfig(text(listen, extra), { baseDir: dir });
    assert.match(plaintextWarning(config("0.0.0.0:8080"))!, /without TLS: API tokens and git passwords cross the network in clear/);
    assert.match(plaintextWarning(config("192.0.2.10:8080"))!, /without TLS/);
    assert.match(plaintextWarning(config('"[::]:8080"'))!, /without TLS/);
    assert.equal(plaintextWarning(config("127.0.0.1:8080")), null);
    assert.equal(plaintextWarning(config("127.0.0.2:8080")), null);
    assert.equal(plaintextWarning(config('"[::1]:8080"')), null);
    assert.equal(plaintextWarning(config("localhost:8080")), null);
    assert.equal(plaintextWarning(config("0.0.0.0:8443", "tls: { cert_file: c.pem, key_file: k.pem }\n")), null);

    // The running service logs it (bound to loopback here: tests talk only to 127.0.0.0/8).
    let out = "";
    const log = createLogger({ level: "info", destination: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream });
    const svc = await startService(config("0.0.0.0:8080"), {}, { log, listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
    try {
      const line = out.split("\n").find((l) => l.includes('"event":"serve.plaintext"'));
      assert.ok(line, out);
      assert.equal(JSON.parse(line).level, "warn");
    } finally {
      await svc.close();
    }
  });
});

function execFileSyncResult(args: string[]): { code: number; stderr: string } {
  try {
    execFileSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], cwd: REPO_ROOT });
    return { code: 0, stderr: "" };
  } catch (err) {
    const e = err as { status: number; stderr: Buffer };
    return { code: e.status, stderr: e.stderr.toString("utf8") };
  }
}
