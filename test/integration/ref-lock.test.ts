import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, utimesSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { commitText, openRepo } from "../helpers/archive.js";
import { compareAndSwapRef, readRef, RefRaceError } from "../../src/archive/ref-lock.js";
import { fsckStrict, git } from "../helpers/git.js";
import { tempDir } from "../helpers/tmp.js";

const LOG = { name: "rosarchive", email: "rosarchive@localhost", time: 1_700_000_000, message: "rosarchive: 1 commit" };

/** A bare repository with two commits made by stock git, main at the first. */
function repoWithTwoCommits(): { gitDir: string; first: string; second: string } {
  const gitDir = path.join(tempDir(), "r.git");
  git(path.dirname(gitDir), ["init", "--quiet", "--bare", "--initial-branch=main", gitDir]);
  git(gitDir, ["config", "core.logAllRefUpdates", "true"]);
  const tree = git(gitDir, ["mktree"], "").trim();
  const env = ["-c", "user.name=t", "-c", "user.email=t@x"];
  const first = git(gitDir, [...env, "commit-tree", tree, "-m", "one"]).trim();
  const second = git(gitDir, [...env, "commit-tree", tree, "-p", first, "-m", "two"]).trim();
  git(gitDir, ["update-ref", "refs/heads/main", first]);
  return { gitDir, first, second };
}

describe("archive: moving main with git's lock protocol (ref-lock)", () => {
  it("moves main when it is where the writer expects, with a reflog line stock git reads", async () => {
    const { gitDir, first, second } = repoWithTwoCommits();
    await compareAndSwapRef(gitDir, "refs/heads/main", second, first, LOG);
    assert.equal(git(gitDir, ["rev-parse", "main"]).trim(), second);
    assert.equal(git(gitDir, ["reflog", "show", "--format=%H %gs", "main"]).split("\n")[0], `${second} rosarchive: 1 commit`);
    assert.equal(git(gitDir, ["reflog", "show", "--format=%H", "HEAD"]).split("\n")[0], second);
    assert.equal(existsSync(path.join(gitDir, "refs/heads/main.lock")), false);
    fsckStrict(gitDir);
  });

  it("refuses when main moved (a lost race), leaving main and no lock behind", async () => {
    const { gitDir, first, second } = repoWithTwoCommits();
    git(gitDir, ["update-ref", "refs/heads/main", second]);
    await assert.rejects(compareAndSwapRef(gitDir, "refs/heads/main", first, first, LOG), (e: unknown) => e instanceof RefRaceError && /expected/.test(e.message));
    assert.equal(git(gitDir, ["rev-parse", "main"]).trim(), second);
    assert.equal(existsSync(path.join(gitDir, "refs/heads/main.lock")), false);
  });

  it("refuses while another writer holds main.lock, and leaves that lock alone", async () => {
    const { gitDir, first, second } = repoWithTwoCommits();
    const lock = path.join(gitDir, "refs/heads/main.lock");
    writeFileSync(lock, "held by someone else\n");
    await assert.rejects(compareAndSwapRef(gitDir, "refs/heads/main", second, first, LOG), RefRaceError);
    assert.equal(existsSync(lock), true);
    // git itself sees the same lock: the protocol is shared.
    assert.throws(() => execFileSync("git", ["--git-dir", gitDir, "update-ref", "refs/heads/main", second, first], { stdio: "pipe" }), /main\.lock/);
  });

  it("takes over a main.lock left by a killed writer (older than a live writer ever holds one)", async () => {
    const { gitDir, first, second } = repoWithTwoCommits();
    const lock = path.join(gitDir, "refs/heads/main.lock");
    writeFileSync(lock, "");
    const now = Date.now() / 1000;
    utimesSync(lock, now - 60, now - 60);
    await compareAndSwapRef(gitDir, "refs/heads/main", second, first, { ...LOG, time: Math.floor(now) });
    assert.equal(git(gitDir, ["rev-parse", "main"]).trim(), second);
    assert.equal(existsSync(lock), false);
  });

  it("reads a ref that git packed into packed-refs, and overrides it with a loose one", async () => {
    const { gitDir, first, second } = repoWithTwoCommits();
    git(gitDir, ["pack-refs", "--all"]);
    assert.equal(existsSync(path.join(gitDir, "refs/heads/main")), false);
    assert.equal(await readRef(gitDir, "refs/heads/main"), first);
    await compareAndSwapRef(gitDir, "refs/heads/main", second, first, LOG);
    assert.equal(git(gitDir, ["rev-parse", "main"]).trim(), second);
    assert.equal(await readRef(gitDir, "refs/heads/other"), null);
  });

  it("a writer whose main was moved by stock git rebuilds on top, losing neither commit", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    const repo = await openRepo(dir);
    await commitText(repo, "a.rsc", "/x\nset a=1\n", 1);
    // Another program commits b.rsc on main with plain git.
    const blob = git(gitDir, ["hash-object", "-w", "--stdin"], "/x\nset b=1\n").trim();
    const tree = git(gitDir, ["mktree"], git(gitDir, ["ls-tree", "main"]) + `100644 blob ${blob}\tb.rsc\n`).trim();
    const theirs = git(gitDir, ["-c", "user.name=t", "-c", "user.email=t@x", "commit-tree", tree, "-p", "main", "-m", "b by hand"]).trim();
    git(gitDir, ["update-ref", "refs/heads/main", theirs]);
    const ours = await commitText(repo, "a.rsc", "/x\nset a=2\n", 2);
    repo.close();
    assert.equal(git(gitDir, ["rev-parse", `${ours.commit}^`]).trim(), theirs);
    assert.equal(git(gitDir, ["show", "main:b.rsc"]), "/x\nset b=1\n");
    assert.equal(git(gitDir, ["show", "main:a.rsc"]), "/x\nset a=2\n");
    fsckStrict(gitDir);
  });

  it("a pack that cannot be written fails its requests clearly, and the writer goes on once it can", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    const repo = await openRepo(dir);
    // The pack folder replaced by a file: every pack write fails (even for root, unlike a read-only folder).
    const packDir = path.join(gitDir, "objects/pack");
    renameSync(packDir, `${packDir}.away`);
    writeFileSync(packDir, "");
    try {
      await assert.rejects(commitText(repo, "a.rsc", "/x\nset a=1\n", 1), /writing pack/);
      assert.equal(await readRef(gitDir, "refs/heads/main"), repo.tip);
    } finally {
      rmSync(packDir);
      renameSync(`${packDir}.away`, packDir);
    }
    const r = await commitText(repo, "a.rsc", "/x\nset a=1\n", 1);
    repo.close();
    assert.equal(r.changed, true);
    assert.equal(git(gitDir, ["rev-list", "--count", "main"]).trim(), "2");
    fsckStrict(gitDir);
  });
});
