import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { keygen, writeConfig } from "../helpers/cli.js";
import { fsckStrict, git } from "../helpers/git.js";
import { FIXTURES, REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

/** Waits until no git process works on `gitDir` (orphaned maintenance finishes on its own; slowly on a busy machine). */
async function gitProcessesDone(gitDir: string): Promise<void> {
  await until("orphaned git maintenance to finish", 180_000, () => (spawnSync("pgrep", ["-f", "--", `--git-dir ${gitDir} `]).status !== 0 ? true : undefined));
}

const KILLS = Number(process.env.ROSARCHIVE_CRASH_KILLS ?? 50);

/** Kill -9 at random moments never corrupts the archive or loses a reported commit. */
describe("crash safety: SIGKILL while committing @crash", function () {
  this.timeout(600_000);

  it(`${KILLS} kills: fsck clean, main complete, every reported commit and its event kept`, async () => {
    const dir = tempDir();
    const keys = keygen(dir);
    const config = writeConfig(dir, {
      recipient: keys.recipient,
      devices: Array.from({ length: 40 }, (_, i) => ({ id: `d${i}`, group: i % 2 ? "ams" : undefined })) as Array<{ id: string; group?: string }>,
      tenantExtra: `    webhooks:\n      - { url: "http://127.0.0.1:9/never", secret_env: NO_SECRET, events: [config.changed] }\n`,
    });
    const gitDir = path.join(dir, "repos/acme.git");
    const reported: Array<{ commit: string; changed: boolean }> = [];
    let start = 0;
    for (let round = 0; round < KILLS; round++) {
      const child = spawn(process.execPath, [path.join(REPO_ROOT, "dist/test/helpers/crash-writer.js"), config, path.join(FIXTURES, "v7.18.2-wifi.rsc"), String(start)], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      const exited = new Promise((r) => child.once("exit", r));
      child.stdout.on("data", (c) => (out += c));
      child.stderr.on("data", (c) => (err += c));
      // Most kills land while the writer commits: a random moment after its first result, however long
      // its start takes on a busy machine. Every fifth lands at a random moment from the spawn (its start too).
      if (round % 5 !== 4) {
        await Promise.race([new Promise((r) => child.stdout.once("data", r)), exited, new Promise((r) => setTimeout(r, 120_000).unref())]);
      }
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * (round % 5 === 4 ? 1200 : 900))));
      child.kill("SIGKILL");
      await exited;
      assert.equal(err.trim(), "", `the writer failed: ${err.slice(0, 500)}`);
      const lines = out.split("\n").filter((l) => l.endsWith("}"));
      for (const l of lines) reported.push(JSON.parse(l));
      start += 1000;

      if (!existsSync(gitDir)) continue; // killed before the repository was created
      await gitProcessesDone(gitDir); // a background repack outlives its killed parent; fsck after it
      fsckStrict(gitDir);
      const tip = git(gitDir, ["rev-parse", "--verify", "main^{commit}"]).trim();
      assert.match(tip, /^[0-9a-f]{40}$/);
      git(gitDir, ["ls-tree", "-r", "main"]); // the tip's whole tree is readable
    }
    assert.ok(reported.filter((r) => r.changed).length > KILLS, `commits were made (${reported.length} reported)`);
    const history = new Set(git(gitDir, ["rev-list", "main"]).trim().split("\n"));
    for (const r of reported) assert.ok(history.has(r.commit), `reported commit ${r.commit} is in history`);
    // Every reported change has its event waiting in the outbox (the receiver never answered).
    const outboxDir = path.join(dir, "state/outbox/acme");
    const bodies = readdirSync(outboxDir).flatMap((hook) => readdirSync(path.join(outboxDir, hook)).filter((f) => f.endsWith(".json")).map((f) => JSON.parse(readFileSync(path.join(outboxDir, hook, f), "utf8"))));
    const evented = new Set(bodies.map((d) => JSON.parse(d.body).commit));
    for (const r of reported.filter((x) => x.changed)) assert.ok(evented.has(r.commit), `event of ${r.commit} is in the outbox`);
    execFileSync("git", ["clone", "-q", "--no-local", gitDir, path.join(dir, "clone")]);
  });
});
