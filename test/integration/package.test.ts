import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const execFileAsync = promisify(execFile);

/**
 * The package as an operator gets it: `npm pack`, then `npm install -g` of
 * the tarball into a temporary prefix, offline (it carries its
 * dependencies), then the installed `rosarchive` run from a folder far from
 * this source tree. Uses the dist/ that the test build made.
 */
describe("package: npm pack, npm install -g of the tarball, and the installed command works without the source tree", function () {
  this.timeout(300_000);
  const work = tempDir("rosarchive-pkg-");
  const prefix = path.join(work, "prefix");
  const elsewhere = tempDir("rosarchive-pkg-run-");
  let files: string[] = [];
  let tarball = "";
  const children: ChildProcess[] = [];
  const env = (): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.join(prefix, "bin")}:${process.env.PATH}` };
    delete e.NODE_PATH;
    return e;
  };
  const installed = () => path.join(prefix, "bin", "rosarchive");
  const start = (args: string[]) => {
    const child = spawn(installed(), args, { cwd: elsewhere, env: env() });
    children.push(child);
    const out = { stdout: "", stderr: "" };
    child.stdout!.on("data", (c) => (out.stdout += c));
    child.stderr!.on("data", (c) => (out.stderr += c));
    return { child, out };
  };
  const stop = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    await until("the command to stop", 60_000, () => (child.exitCode !== null || child.signalCode !== null ? true : undefined));
  };

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });

  before(async () => {
    const packed = await execFileAsync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
    const info = (JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>)[0]!;
    files = info.files.map((f) => f.path);
    tarball = path.join(work, info.filename);
    assert.match(info.filename, /^rosarchive-\d+\.\d+\.\d+\.tgz$/);
    await execFileAsync("npm", ["install", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", tarball], { cwd: work, env: env(), maxBuffer: 64 * 1024 * 1024 });
  });

  it("holds the program, the web UI, the demo's exports, the pack worker, docs and deploy files; no tests, benchmarks, sources or maps", () => {
    for (const want of ["bin/rosarchive.js", "dist/src/cli/main.js", "dist/src/archive/pack-worker.js", "src/web/static/index.html", "src/web/static/app.js", "src/demo/exports/SOURCES.md", "config.example.yaml", "collector.example.yaml", "hooks/examples/push-mirror", "deploy/systemd/rosarchive.service", "deploy/nginx/rosarchive.conf", "deploy/prometheus/alerts.yml", "docs/operations.md", "docs/configuration.md", "docs/examples/webhook-receiver.mjs", "README.md", "package.json"]) {
      assert.ok(files.includes(want), `the package holds ${want}`);
    }
    assert.ok(files.some((f) => /^src\/demo\/exports\/v7.*\.rsc$/.test(f)), "the demo's exports");
    const own = files.filter((f) => !f.startsWith("node_modules/"));
    assert.deepEqual(own.filter((f) => /^(test|bench|dist\/test|dist\/bench|dist\/scripts|scripts)\//.test(f) || /\.test\.|\.map$/.test(f) || (/\.ts$/.test(f) && !f.startsWith("node_modules/"))), [], "no tests, benchmarks, TypeScript sources or source maps");
    for (const dev of ["mocha", "typescript", "playwright-core"]) assert.ok(!files.some((f) => f.startsWith(`node_modules/${dev}/`)), `no ${dev}`);
  });

  it("installs a rosarchive command that lives in the prefix, not in this source tree", async () => {
    assert.ok(existsSync(installed()));
    const real = realpathSync(installed());
    assert.ok(real.startsWith(realpathSync(prefix)), real);
    const help = await execFileAsync(installed(), ["--help"], { cwd: elsewhere, env: env() });
    assert.match(help.stdout, /^usage: rosarchive COMMAND/m);
    for (const c of ["serve", "demo", "state", "healthz", "keygen"]) assert.match(help.stdout, new RegExp(`^  ${c} `, "m"));
    const version = await execFileAsync(installed(), ["version"], { cwd: elsewhere, env: env() });
    assert.match(version.stdout, /^rosarchive \d+\.\d+\.\d+$/m);
  });

  it("runs the demo: simulated routers, the API and the web UI answer", async () => {
    const { child, out } = start(["demo", "--port", "0", "--devices", "2", "--change-every", "3600", "--dir", path.join(elsewhere, "demo-data")]);
    try {
      await until("the demo's printed block", 90_000, () => (out.stdout.includes("Ctrl-C stops the demo") ? true : undefined));
      const api = /^\s*API\s+(\S+)$/m.exec(out.stdout)![1]!;
      const viewer = /^\s*viewer token\s+(\S+)$/m.exec(out.stdout)![1]!;
      const devices = await until("the device list", 60_000, async () => {
        const r = await fetch(api, { headers: { authorization: `Bearer ${viewer}` } });
        return r.status === 200 ? ((await r.json()) as { devices: unknown[] }).devices : undefined;
      });
      assert.equal(devices.length, 2);
      const page = await fetch(new URL("/", api));
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      assert.equal((await fetch(new URL("/ui/app.js", api))).status, 200, "the UI's modules come from the package");
    } finally {
      await stop(child);
    }
  });

  it("runs serve with a minimal config, answers /healthz, and healthz says so", async () => {
    const keygen = await execFileAsync(installed(), ["keygen"], { cwd: elsewhere, env: env() });
    const recipient = /# public key: (age1\S+)/.exec(keygen.stdout)![1]!;
    const config = path.join(elsewhere, "config.yaml");
    writeFileSync(config, `listen: 127.0.0.1:0\nencryption: { recipients: [${recipient}] }\ntenants: { acme: {} }\n`);
    const { child, out } = start(["serve", "-c", config]);
    try {
      const url = await until("serve to listen", 60_000, () => /"event":"serve.listening".*?"url":"(http:[^"]+)"/.exec(out.stderr + out.stdout)?.[1]);
      const health = await fetch(`${url}/healthz`);
      assert.deepEqual(await health.json(), { status: "ok" });
      // healthz reads the listen address from the config: give it the bound port.
      const bound = path.join(elsewhere, "bound.yaml");
      writeFileSync(bound, `listen: 127.0.0.1:${new URL(url).port}\nencryption: { recipients: [${recipient}] }\ntenants: { acme: {} }\n`);
      const check = await execFileAsync(installed(), ["healthz", "-c", bound], { cwd: elsewhere, env: env() });
      assert.match(check.stdout, /\/healthz: ok$/m);
      assert.ok(existsSync(path.join(elsewhere, "state", "FORMAT")), "state_dir relative to the config, with its format");
    } finally {
      await stop(child);
    }
  });
});
