import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { importExport } from "../../src/pipeline/index.js";
import { cli, keygen, writeConfig } from "../helpers/cli.js";
import { fsckStrict, git } from "../helpers/git.js";
import { eventually } from "../helpers/receiver.js";
import { FIXTURES, REPO_ROOT, tempDir } from "../helpers/tmp.js";

const BASE = readFileSync(path.join(FIXTURES, "v7.18.2-wifi.rsc"), "utf8");
const ROUTER_SECRET = "router-pw-that-must-never-reach-a-hook-7f3a";

interface Setup {
  readonly dir: string;
  readonly config: string;
  readonly hooks: string;
  readonly repo: string;
}

function setup(extra = "", tenantExtra = ""): Setup {
  const dir = tempDir();
  const keys = keygen(dir);
  const config = writeConfig(dir, { recipient: keys.recipient, devices: [{ id: "core-1" }, { id: "edge-1" }], extra, tenantExtra });
  const hooks = path.join(dir, "hooks");
  mkdirSync(hooks, { recursive: true });
  return { dir, config, hooks, repo: path.join(dir, "repos/acme.git") };
}

function installHook(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}

let n = 0;
/** `rosarchive import` of a fresh change, as an operator runs it; returns the result and the hook.run log lines. */
function importChange(s: Setup, device: string, env: NodeJS.ProcessEnv = {}) {
  const file = path.join(s.dir, `change-${++n}.rsc`);
  writeFileSync(file, `${BASE}\n/system note\nset note="change ${n}"\n`);
  const r = cli(["import", "-c", s.config, `acme/${device}`, file], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const result = JSON.parse(r.stdout) as { result: string; commit: string };
  assert.equal(result.result, "changed");
  const hookRuns = r.stderr
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.event === "hook.run");
  return { ...result, hookRuns, file };
}

describe("hooks: local executables on events", function () {
  this.timeout(120_000);

  it("the shipped push-mirror example keeps a mirror identical to the tenant repository", () => {
    const s = setup();
    installHook(path.join(s.hooks, "config.changed.d/push-mirror"), readFileSync(path.join(REPO_ROOT, "hooks/examples/push-mirror"), "utf8"));
    const mirror = path.join(s.dir, "mirror/acme.git");
    writeFileSync(path.join(s.hooks, "mirror-remote.acme"), `${mirror}\n`);

    for (const device of ["core-1", "edge-1", "core-1"]) {
      const r = importChange(s, device);
      assert.deepEqual(r.hookRuns.map((h) => [h.hook, h.result]), [["push-mirror", "ok"]], JSON.stringify(r.hookRuns));
      assert.equal(git(mirror, ["rev-parse", "main"]).trim(), r.commit, "the mirror has the new commit once the import returns");
    }
    assert.equal(git(mirror, ["for-each-ref"]), git(s.repo, ["for-each-ref"]), "same refs, same targets");
    assert.equal(git(mirror, ["rev-parse", "main"]), git(s.repo, ["rev-parse", "main"]));
    const objects = (g: string) => git(g, ["rev-list", "--objects", "--all"]).split("\n").sort();
    assert.deepEqual(objects(mirror), objects(s.repo), "every reachable object was pushed");
    fsckStrict(mirror);
  });

  it("a hook gets only PATH, HOME, LANG and ROSARCHIVE_* (no secret of the service) and the exact event JSON on stdin", () => {
    const s = setup("", `    webhooks:\n      - { url: "http://127.0.0.1:9/hook", secret_env: HOOK_SECRET, events: [config.changed] }\n`);
    // /proc/$$/environ is the environment exactly as exec'd, before the shell adds PWD and friends.
    installHook(path.join(s.hooks, "config.changed"), `#!/bin/sh\ntr '\\000' '\\n' < /proc/$$/environ > "$(pwd)/env.txt"\ncat > "$(pwd)/stdin.json"\n`);
    const r = importChange(s, "edge-1", { ROUTER_PASSWORD: ROUTER_SECRET, HOOK_SECRET: "whsec-hook-env-test" });
    assert.deepEqual(r.hookRuns.map((h) => [h.hook, h.result]), [["config.changed", "ok"]]);

    const dump = readFileSync(path.join(s.hooks, "env.txt"), "utf8");
    assert.ok(!dump.includes(ROUTER_SECRET) && !dump.includes("whsec-hook-env-test"), "no secret of the service's environment");
    const env = Object.fromEntries(dump.split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    assert.deepEqual(Object.keys(env).sort(), ["HOME", "LANG", "PATH", "ROSARCHIVE_COMMIT", "ROSARCHIVE_DEVICE", "ROSARCHIVE_EVENT", "ROSARCHIVE_REPO", "ROSARCHIVE_TENANT"]);
    assert.deepEqual(
      [env.ROSARCHIVE_EVENT, env.ROSARCHIVE_TENANT, env.ROSARCHIVE_DEVICE, env.ROSARCHIVE_COMMIT, env.ROSARCHIVE_REPO],
      ["config.changed", "acme", "edge-1", r.commit, s.repo],
    );

    // stdin holds the very bytes stored for webhook delivery (serialized once).
    const stdin = readFileSync(path.join(s.hooks, "stdin.json"), "utf8");
    const outbox = path.join(s.dir, "state/outbox/acme");
    const [hookDir] = readdirSync(outbox);
    const [delivery] = readdirSync(path.join(outbox, hookDir!)).filter((f) => f.endsWith(".json"));
    assert.equal(stdin, JSON.parse(readFileSync(path.join(outbox, hookDir!, delivery!), "utf8")).body);
    const event = JSON.parse(stdin);
    assert.deepEqual([event.event, event.tenant, event.device, event.commit], ["config.changed", "acme", "edge-1", r.commit]);
  });

  it("a hook past limits.hook_timeout is killed with its children, a failing one is logged and counted; imports succeed", async () => {
    const s = setup("limits: { hook_timeout: 1s }");
    installHook(path.join(s.hooks, "config.changed.d/10-slow"), `#!/bin/sh\nsleep 60 &\necho $! > "$(pwd)/sleep.pid"\nwait\ntouch "$(pwd)/slow-finished"\n`);
    installHook(path.join(s.hooks, "config.changed.d/20-fail"), "#!/bin/sh\necho 'something broke' >&2\nexit 7\n");
    installHook(path.join(s.hooks, "config.changed.d/30-ok"), `#!/bin/sh\ncat >/dev/null\necho "$ROSARCHIVE_COMMIT" >> "$(pwd)/ok.log"\n`);

    const r = importChange(s, "core-1");
    assert.deepEqual(
      r.hookRuns.map((h) => [h.hook, h.result, h.code]),
      [["10-slow", "timeout", null], ["20-fail", "failed", 7], ["30-ok", "ok", 0]],
    );
    assert.match(String(r.hookRuns[1]!.output), /something broke/, "a failing hook's output is logged");
    assert.equal(git(s.repo, ["rev-parse", "main"]).trim(), r.commit, "the commit stands");
    assert.equal(readFileSync(path.join(s.hooks, "ok.log"), "utf8"), `${r.commit}\n`, "later hooks still ran");
    assert.ok(!existsSync(path.join(s.hooks, "slow-finished")), "the slow hook was killed, not waited for");
    const pid = Number(readFileSync(path.join(s.hooks, "sleep.pid"), "utf8"));
    await eventually(() => !alive(pid), 10_000, "the hook's child process is killed too");

    // In the service, each result is counted in rosarchive_hook_runs_total{result}.
    const svc = await startService(loadConfig(readFileSync(s.config, "utf8"), { baseDir: s.dir }), {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
    try {
      const file = path.join(s.dir, "svc-change.rsc");
      writeFileSync(file, `${BASE}\n/system note\nset note="through the service"\n`);
      const res = await importExport(svc.ctx, svc.ctx.config().tenants.get("acme")!.deviceById.get("edge-1")!, file);
      assert.equal(res.changed, true);
      const counts = await eventually(async () => {
        const body = await (await fetch(`${svc.url}/metrics`)).text();
        const get = (result: string) => Number(new RegExp(`^rosarchive_hook_runs_total\\{result="${result}"\\} (\\S+)$`, "m").exec(body)?.[1] ?? 0);
        const c = { ok: get("ok"), failed: get("failed"), timeout: get("timeout") };
        return c.ok + c.failed + c.timeout >= 3 ? c : null;
      }, 20_000, "three hook runs counted");
      assert.deepEqual(counts, { ok: 1, failed: 1, timeout: 1 });
    } finally {
      await svc.close();
    }
  });
});

/** A killed child may linger as a zombie until reaped; that is dead too. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
