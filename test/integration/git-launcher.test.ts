import assert from "node:assert/strict";
import path from "node:path";
import { gitLauncherAnswered, gitLauncherPid, launchGitFrom, runGit, runGitQuickly, stopGitLauncher } from "../../src/archive/git.js";
import { commitText, openRepo } from "../helpers/archive.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const LAUNCHER = path.join(REPO_ROOT, "dist/src/cli/git-launcher.js");

/** Reads a request waits on run git from a small helper process: the same bytes and errors as git run here. */
describe("git launcher (git for reads, run from a small helper process)", function () {
  this.timeout(60_000);
  after(() => stopGitLauncher());

  it("answers with git's own output and errors, concurrently, and survives the helper dying", async () => {
    const repo = await openRepo(path.join(tempDir(), "repos"));
    const a = await commitText(repo, "core-1.rsc", "/system note\nset note=one\n");
    const b = await commitText(repo, "core-1.rsc", "/system note\nset note=two\n");
    repo.close();
    launchGitFrom([LAUNCHER], { aboveRss: 0 });
    const call = { gitDir: repo.gitDir, args: ["diff", "--no-color"], revs: [a.commit!, b.commit!], paths: ["core-1.rsc"] };
    const direct = (await runGit(call)).stdout.toString();
    assert.match(direct, /^-set note=one$/m);
    // The first calls start the helper but do not wait for it to boot: they run git from here, with the same answer.
    const first = await Promise.all(Array.from({ length: 4 }, () => runGitQuickly(call)));
    for (const r of first) assert.equal(r.stdout.toString(), direct);
    const pid = gitLauncherPid();
    assert.ok(pid, "the helper runs");
    // Once it is up, the helper answers.
    await until("the helper answering", 30_000, async () => ((await runGitQuickly(call)) && gitLauncherAnswered() > 0 ? true : undefined));
    const before = gitLauncherAnswered();
    const answers = await Promise.all(Array.from({ length: 12 }, () => runGitQuickly(call)));
    for (const r of answers) assert.equal(r.stdout.toString(), direct);
    assert.equal(gitLauncherAnswered() - before, 12, "every call of a ready helper is answered by it");
    await assert.rejects(runGitQuickly({ gitDir: repo.gitDir, args: ["cat-file", "-p"], revs: ["0".repeat(40)] }), /git cat-file failed/);
    await assert.rejects(runGitQuickly({ gitDir: repo.gitDir, args: ["log"], revs: ["--output=/tmp/x"] }), /may not start with '-'/);
    process.kill(pid!, "SIGKILL");
    await until("the helper gone", 10_000, () => (gitLauncherPid() !== pid ? true : undefined));
    assert.equal((await runGitQuickly(call)).stdout.toString(), direct, "a new helper (or the service itself) answers");
    stopGitLauncher();
    assert.equal(gitLauncherPid(), null);
    assert.equal((await runGitQuickly(call)).stdout.toString(), direct, "without a helper git runs from here");
  });
});
