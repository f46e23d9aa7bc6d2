import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { keygen, writeConfig } from "../helpers/cli.js";
import { fsckStrict, git } from "../helpers/git.js";
import { FIXTURES, REPO_ROOT, tempDir } from "../helpers/tmp.js";

/** Waits until no git process works on `gitDir` (orphaned maintenance finishes on its own). */
async function gitProcessesDone(gitDir: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const r = spawnSync("pgrep", ["-f", "--", `--git-dir ${gitDir} `]);
    if (r.status !== 0) return;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error("git maintenance still running after 30 s");
}

const KILLS = Number(process.env.ROSARCHIVE_CRASH_KILLS ?? 50);

/** Issue 7: kill -9 at random moments never corrupts the archive or loses a reported commit. */
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
      child.stdout.on("data", (c) => (out += c));
      child.stderr.on("data", (c) => (err += c));
      const wait = 300 + Math.floor(Math.random() * 900);
      await new Promise((r) => setTimeout(r, wait));
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
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
