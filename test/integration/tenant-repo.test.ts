import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { ensureBareRepo, parseTrailers } from "../../src/archive/index.js";
import { commitText, openRepo } from "../helpers/archive.js";
import { commitCount, fsckStrict, git } from "../helpers/git.js";
import { tempDir } from "../helpers/tmp.js";


describe("archive: TenantRepo (real git reads what we write)", () => {
  it("creates a bare repo on main with a README, readable by stock git", async () => {
    const dir = tempDir();
    const repo = await openRepo(dir);
    repo.close();
    const gitDir = path.join(dir, "acme.git");
    assert.equal(git(gitDir, ["rev-parse", "--is-bare-repository"]).trim(), "true");
    assert.equal(git(gitDir, ["symbolic-ref", "HEAD"]).trim(), "refs/heads/main");
    assert.match(git(gitDir, ["show", "main:README.md"]), /rosarchive decrypt/);
    fsckStrict(gitDir);
  });

  it("a new repository appears in data_dir only complete: main already on its first commit, nothing left beside it", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    await ensureBareRepo(gitDir, "acme", { fsync: false, time: 1_700_000_000 });
    assert.match(git(gitDir, ["rev-parse", "main"]).trim(), /^[0-9a-f]{40}$/);
    assert.match(git(gitDir, ["show", "main:README.md"]), /rosarchive decrypt/);
    assert.deepEqual(readdirSync(dir), ["acme.git"]);
    fsckStrict(gitDir);
  });

  it("a repository whose main is unborn (made by hand or an older release) gets its first commit on open", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    execFileSync("git", ["init", "-q", "--bare", "--initial-branch=main", gitDir]);
    const repo = await openRepo(dir);
    repo.close();
    assert.equal(git(gitDir, ["rev-list", "--count", "main"]).trim(), "1");
    fsckStrict(gitDir);
  });

  it("removes a file in one commit (a retired device); its history stays; an emptied group folder goes", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    const repo = await openRepo(dir);
    const first = await commitText(repo, "fra/core-1.rsc", "/x\nset a=1\n");
    const gone = await commitText(repo, "fra/core-1.rsc", null);
    const again = await commitText(repo, "fra/core-1.rsc", null);
    repo.close();
    assert.deepEqual([gone.changed, gone.parent, gone.stats?.stats], [true, first.commit, { added: 0, removed: 2 }]);
    assert.deepEqual([again.changed, again.commit], [false, gone.commit]);
    assert.equal(git(gitDir, ["ls-tree", "--name-only", "main"]).trim(), "README.md");
    assert.equal(git(gitDir, ["show", `${first.commit}:fra/core-1.rsc`]), "/x\nset a=1\n");
    assert.equal(commitCount(gitDir, "fra/core-1.rsc"), 2);
    fsckStrict(gitDir);
  });

  it("commits a changed file once, skips an identical one, and keeps groups in folders", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    const repo = await openRepo(dir);
    const put = (p: string, body: string) => commitText(repo, p, body, 1_700_000_000);
    const a = await put("fra/core-1.rsc", "/ip address\nadd address=10.0.0.1/24\n");
    assert.equal(a.changed, true);
    const again = await put("fra/core-1.rsc", "/ip address\nadd address=10.0.0.1/24\n");
    assert.deepEqual([again.changed, again.commit], [false, a.commit]);
    const b = await put("edge-7.rsc", "/system identity\nset name=edge\n");
    assert.equal(b.parent, a.commit);
    const c = await put("fra/core-1.rsc", "/ip address\nadd address=10.0.0.2/24\n");
    assert.equal(c.changed, true);
    repo.close();

    fsckStrict(gitDir);
    assert.equal(commitCount(gitDir, "fra/core-1.rsc"), 2);
    assert.equal(git(gitDir, ["ls-tree", "-r", "--name-only", "main"]).trim().split("\n").sort().join(","), "README.md,edge-7.rsc,fra/core-1.rsc");
    assert.equal(git(gitDir, ["show", "main:fra/core-1.rsc"]), "/ip address\nadd address=10.0.0.2/24\n");
    const diff = git(gitDir, ["diff", `${a.commit}`, `${c.commit}`, "--", "fra/core-1.rsc"]);
    assert.match(diff, /^-add address=10\.0\.0\.1\/24$/m);
    assert.match(diff, /^\+add address=10\.0\.0\.2\/24$/m);
    // one commit touches exactly one device file
    assert.equal(git(gitDir, ["show", "--name-only", "--format=", c.commit!]).trim(), "fra/core-1.rsc");
    const clone = path.join(dir, "clone");
    execFileSync("git", ["clone", "-q", "--no-local", gitDir, clone], { env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null" } });
  });

  it("writes the message: subject, blank line, trailers in order", async () => {
    const dir = tempDir();
    const repo = await openRepo(dir);
    const r = await commitText(repo, "core-1.rsc", "/x\n", 1_763_805_600);
    repo.close();
    const msg = git(path.join(dir, "acme.git"), ["log", "-1", "--format=%B", r.commit!]);
    assert.equal(
      msg,
      "core-1: initial snapshot\n\nDevice: core-1\nHost: 10.0.0.1\nRouterOS-Version: 7.16.2\nTrigger: scheduled\nCollected-At: 2026-11-22T10:00:00Z\nNormalizer: 1\n\n",
    );
    assert.equal(git(path.join(dir, "acme.git"), ["log", "-1", "--format=%(trailers:key=Device,valueonly)", r.commit!]).trim(), "core-1");
    assert.deepEqual(parseTrailers(msg)["Trigger"], "scheduled");
  });

  it("two writers on one repository (as two processes would be) lose nothing", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    const one = await openRepo(dir);
    const two = await openRepo(dir);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      const repo = i % 2 ? one : two;
      writes.push(commitText(repo, `d${i}.rsc`, `/x\nset v=${i}\n`, 1_700_000_000));
    }
    await Promise.all(writes);
    one.close();
    two.close();
    fsckStrict(gitDir);
    assert.equal(Number(git(gitDir, ["rev-list", "--count", "main"]).trim()), 21);
    assert.equal(git(gitDir, ["ls-tree", "--name-only", "main"]).trim().split("\n").length, 21);
  });

  it("a git config on the host (autocrlf, gpgsign) changes nothing", async () => {
    const dir = tempDir();
    const home = tempDir();
    execFileSync("git", ["config", "--file", path.join(home, ".gitconfig"), "core.autocrlf", "true"]);
    execFileSync("git", ["config", "--file", path.join(home, ".gitconfig"), "commit.gpgsign", "true"]);
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      const repo = await openRepo(dir);
      const r = await commitText(repo, "a.rsc", "/x\nset a=1\n", 1);
      repo.close();
      assert.equal(git(path.join(dir, "acme.git"), ["cat-file", "blob", `${r.commit}:a.rsc`]), "/x\nset a=1\n");
      assert.doesNotMatch(git(path.join(dir, "acme.git"), ["cat-file", "commit", r.commit!]), /gpgsig/);
    } finally {
      process.env.HOME = saved;
    }
  });
});

describe("archive: packs and maintenance", () => {
  it("concurrent commits share packs that stock git verifies; maintenance merges them and writes a commit-graph", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    const repo = await openRepo(dir);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        commitText(repo, `g${i % 3}/d${i}.rsc`, `/x\nset v=${i}\n`, 1_700_000_000),
      ),
    );
    // Every request got its own commit, chained in arrival order.
    for (let i = 1; i < results.length; i++) assert.equal(results[i]!.parent, results[i - 1]!.commit);
    const packsBefore = execFileSync("sh", ["-c", `ls ${gitDir}/objects/pack/*.pack | wc -l`], { encoding: "utf8" }).trim();
    assert.ok(Number(packsBefore) < 60, `batched: ${packsBefore} packs for 60 commits`);
    for (const idx of execFileSync("sh", ["-c", `ls ${gitDir}/objects/pack/*.idx`], { encoding: "utf8" }).trim().split("\n")) {
      git(gitDir, ["verify-pack", idx]);
    }
    await repo.maintain();
    repo.close();
    fsckStrict(gitDir);
    assert.equal(Number(git(gitDir, ["rev-list", "--count", "main"]).trim()), 61);
    assert.ok(execFileSync("sh", ["-c", `ls ${gitDir}/objects/info/commit-graphs/ 2>/dev/null | wc -l`], { encoding: "utf8" }).trim() !== "0", "commit-graph written");
  });

  it("a batch of changes to files already archived writes its later root trees as deltas that stock git reads (fsck --strict)", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    const repo = await openRepo(dir);
    for (let i = 0; i < 40; i++) await commitText(repo, `d${i}.rsc`, `/x\nset v=${i}\n`, 1_700_000_000);
    // Then all 40 change at once: one batch, each commit's root tree differs from the last in one id.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => commitText(repo, `d${i}.rsc`, `/x\nset v=${i} changed\n`, 1_700_000_100)));
    repo.close();
    const deltas = execFileSync("sh", ["-c", `for i in ${gitDir}/objects/pack/*.idx; do git verify-pack -v $i; done`], { encoding: "utf8" })
      .split("\n")
      .filter((l) => / tree +\d+ \d+ \d+ 1 [0-9a-f]{40}$/.test(l));
    assert.ok(deltas.length >= 10, `root trees as deltas (${deltas.length})`);
    fsckStrict(gitDir);
    for (const [i, r] of results.entries()) assert.equal(git(gitDir, ["show", `${r.commit}:d${i}.rsc`]), `/x\nset v=${i} changed\n`);
    assert.equal(git(gitDir, ["ls-tree", "main"]).split("\n").filter(Boolean).length, 41);
  });
});
