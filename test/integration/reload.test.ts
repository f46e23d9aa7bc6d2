import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { BIN, cliAsync, keygen } from "../helpers/cli.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/**
 * A reload the running process could not use is refused whole: the user's
 * first day, where `check-config` passed in their shell and SIGHUP logged
 * `config.reloaded`, but serve lacked the webhook's secret_env.
 */
describe("serve: a config that names secret sources this process lacks", function () {
  this.timeout(90_000);
  let dir: string;
  let serve: ChildProcessWithoutNullStreams | null = null;
  let logs = "";
  const viewer = "ra_viewer_token_for_reload";
  const later = "ra_token_added_by_the_refused_reload";
  const config = (extra: string) => `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
encryption:
  recipients: [${keygen(dir).recipient}]
defaults: { username: backup, password_env: ROUTER_PASSWORD }
tenants:
  acme:
    tokens:
      - { name: v, role: viewer, sha256: "${sha(viewer)}" }
${extra}    devices:
      - { id: core-1, host: 127.0.0.1, port: 1 }
`;
  const env = { PATH: process.env.PATH, HOME: "/nonexistent", ROUTER_PASSWORD: "x" };

  before(() => {
    dir = tempDir();
  });
  after(() => serve?.kill("SIGKILL"));

  it("serve refuses to start without a secret source the config names, and says which", async () => {
    const file = path.join(dir, "missing.yaml");
    writeFileSync(file, config(""));
    const r = await cliAsync(["serve", "-c", file], { env: { PATH: process.env.PATH } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tenants\.acme\.devices\[0\]\.password_env: environment variable ROUTER_PASSWORD is not set/);
  });

  it("SIGHUP with a webhook secret_env serve lacks is refused whole: logged, counted, the old config stays in force", async () => {
    const file = path.join(dir, "config.yaml");
    writeFileSync(file, config(""));
    serve = spawn(process.execPath, [BIN, "serve", "-c", file], { cwd: REPO_ROOT, env });
    serve.stdout.on("data", (c) => (logs += c));
    serve.stderr.on("data", (c) => (logs += c));
    const url = await until("serve to listen", 30_000, () => /"event":"serve.listening".*?"url":"(http:[^"]+)"/.exec(logs)?.[1]);
    const status = async (token: string) => (await fetch(`${url}/api/v1/tenants/acme/devices`, { headers: { authorization: `Bearer ${token}` } })).status;
    assert.equal(await status(viewer), 200);

    // The operator's shell has ACME_HOOK_SECRET, so check-config passes there; serve's environment does not.
    writeFileSync(file, config(`      - { name: later, role: viewer, sha256: "${sha(later)}" }\n    webhooks:\n      - { url: "http://127.0.0.1:9/x", secret_env: ACME_HOOK_SECRET }\n`));
    const checked = await cliAsync(["check-config", "-c", file], { env: { ...env, ACME_HOOK_SECRET: "in-my-shell" } });
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /this shell's environment/);

    serve.kill("SIGHUP");
    await until("the refusal in the log", 20_000, () => (/"event":"config.reload_refused"/.test(logs) ? true : undefined));
    assert.match(logs, /config\.reload_refused.*ACME_HOOK_SECRET is not set/);
    assert.doesNotMatch(logs, /"event":"config.reloaded"/);
    assert.equal(await status(later), 401, "the refused file's new token is not in force");
    assert.equal(await status(viewer), 200, "the running config still serves");
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^rosarchive_config_reloads_total\{result="refused"\} 1$/m);
  });
});
