import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Simulator } from "../../src/simulator/index.js";
import { BIN, keygen, writeConfig } from "../helpers/cli.js";
import { eventually } from "../helpers/receiver.js";
import { startServe, tokenFor } from "../helpers/serve-process.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";

function installHook(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}

/** Runs the CLI, killing it past `deadlineMs` (a run that never ends must fail the test, not hang it). */
function cliWithin(args: string[], deadlineMs: number): Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let killed = false;
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, deadlineMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    /* gone already */
  }
}

describe("hooks: a run ends on exit, and the queue survives a restart", function () {
  this.timeout(180_000);

  it("a hook that leaves a daemon holding its stdout finishes at its exit, and the next hook runs", async () => {
    const dir = tempDir();
    const keys = keygen(dir);
    // A long time limit: the run must end because the hook exited, not because the limit killed it.
    const config = writeConfig(dir, { recipient: keys.recipient, devices: [{ id: "core-1" }], extra: "limits: { hook_timeout: 120s }" });
    const hooks = path.join(dir, "hooks");
    // Like `git push` over ssh with ControlPersist: a child in its own session keeps stdout and stderr open for ten minutes.
    installHook(path.join(hooks, "config.changed.d/10-daemon"), `#!/bin/sh\nsetsid sh -c 'echo $$ > "${dir}/daemon.pid"; exec sleep 600' &\nsleep 600 &\necho $! > "${dir}/child.pid"\necho "left a daemon"\n`);
    installHook(path.join(hooks, "config.changed.d/20-next"), `#!/bin/sh\ncat > /dev/null\necho "$ROSARCHIVE_COMMIT" >> "${dir}/next.log"\n`);
    const file = path.join(dir, "change.rsc");
    writeFileSync(file, `${readFixture(V7_FIXTURE)}\n/system note\nset note="daemon"\n`);
    try {
      const r = await cliWithin(["import", "-c", config, "acme/core-1", file], 60_000);
      assert.equal(r.killed, false, "the import finished (it does not wait for the daemon)");
      assert.equal(r.code, 0, r.stderr.slice(-2000));
      const commit = (JSON.parse(r.stdout) as { commit: string }).commit;
      const runs = r.stderr
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { event: string; hook: string; result: string; output: string })
        .filter((l) => l.event === "hook.run");
      assert.deepEqual(runs.map((h) => [h.hook, h.result]), [["10-daemon", "ok"], ["20-next", "ok"]]);
      assert.match(runs[0]!.output, /left a daemon/, "its output before the exit is kept");
      assert.equal(readFileSync(path.join(dir, "next.log"), "utf8"), `${commit}\n`);
      assert.deepEqual(readdirSync(path.join(dir, "state/hook-queue")).filter((n) => n.endsWith(".json")), [], "the queue is empty once the hooks ran");
    } finally {
      for (const f of ["daemon.pid", "child.pid"]) {
        const p = path.join(dir, f);
        if (existsSync(p)) killGroup(Number(readFileSync(p, "utf8")));
        if (existsSync(p)) {
          try {
            process.kill(Number(readFileSync(p, "utf8")), "SIGKILL");
          } catch {
            /* gone */
          }
        }
      }
    }
  });

  describe("with a real serve", () => {
    let sim: Simulator;
    after(() => sim?.stop());

    it("a hook run queued before SIGKILL of serve runs after the restart, from the hook not yet finished", async () => {
      const dir = tempDir();
      sim = await startDevices(1, () => ({ id: "core-1" }));
      const keys = keygen(dir);
      const operator = tokenFor("operator");
      const hooks = path.join(dir, "hooks");
      const log = path.join(dir, "runs.log");
      installHook(path.join(hooks, "config.changed.d/10-first"), `#!/bin/sh\necho "first $ROSARCHIVE_COMMIT" >> "${log}"\n`);
      // Blocks while the flag file exists: the process is killed in the middle of it.
      installHook(
        path.join(hooks, "config.changed.d/20-second"),
        `#!/bin/sh\necho "second-start $ROSARCHIVE_COMMIT $$" >> "${log}"\nif [ -e "${dir}/block" ]; then sleep 600; fi\necho "second-done $ROSARCHIVE_COMMIT" >> "${log}"\n`,
      );
      writeFileSync(path.join(dir, "block"), "");
      const config = path.join(dir, "config.yaml");
      writeFileSync(
        config,
        `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${hooks}
log_level: info
encryption:
  recipients: [${keys.recipient}]
schedule: { interval: 24h, first_run_window: 24h }
limits: { hook_timeout: 120s }
defaults:
  username: backup
  password: "${TEST_PASSWORD}"
tenants:
  acme:
    tokens:
      - ${operator.yaml}
    devices:
      - { id: core-1, host: 127.0.0.1, port: ${sim.devices.get("core-1")!.port} }
`,
      );
      const lines = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
      let hookPid = 0;
      const first = await startServe(config);
      let commit: string;
      try {
        const res = await fetch(`${first.url}/api/v1/tenants/acme/devices/core-1/backup`, { method: "POST", headers: { authorization: `Bearer ${operator.token}` } });
        assert.equal(res.status, 201);
        commit = ((await res.json()) as { commit: string }).commit;
        const started = await eventually(() => lines().find((l) => l.startsWith(`second-start ${commit}`)), 60_000, "the second hook to start");
        hookPid = Number(started!.split(" ")[2]);
      } finally {
        await first.kill();
      }
      killGroup(hookPid); // the orphaned hook of the killed process; a restart must run it again
      assert.deepEqual(lines(), [`first ${commit}`, `second-start ${commit} ${hookPid}`]);
      assert.equal(readdirSync(path.join(dir, "state/hook-queue")).filter((n) => n.endsWith(".json")).length, 1, "the run is still queued");

      rmSync(path.join(dir, "block"));
      const second = await startServe(config);
      try {
        await eventually(() => lines().includes(`second-done ${commit}`), 60_000, "the queued run after the restart");
        await eventually(() => readdirSync(path.join(dir, "state/hook-queue")).filter((n) => n.endsWith(".json")).length === 0, 30_000, "the queue to empty");
      } finally {
        await second.stop();
      }
      const after = lines();
      assert.equal(after.filter((l) => l === `first ${commit}`).length, 1, "a hook that finished is not run again");
      assert.equal(after.filter((l) => l.startsWith(`second-start ${commit}`)).length, 2, "the interrupted hook ran again (at least once)");
    });
  });
});
