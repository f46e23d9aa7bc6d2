import assert from "node:assert/strict";
import { utimesSync } from "node:fs";
import path from "node:path";
import { unifiedDiff } from "../../src/archive/index.js";
import { commitText, openRepo } from "../helpers/archive.js";
import { git } from "../helpers/git.js";
import { tempDir } from "../helpers/tmp.js";

const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

function exportText(rev: number, extra = ""): string {
  const rules = Array.from({ length: 40 }, (_, i) => `add action=accept chain=input comment=rule-${i} dst-port=${i === rev % 40 ? 2000 + rev : 1000 + i} protocol=tcp`);
  return `# 2026-11-20 10:00:00 by RouterOS 7.16.2\n/ip firewall filter\n${rules.join("\n")}\n/system identity\nset name=core\n/system note\nset note="revision ${rev}"\n${extra}`;
}

/** The pack folder as if its last change were long ago: the long-lived diff process may start. */
function settle(gitDir: string): void {
  const past = new Date(Date.now() - 60_000);
  utimesSync(path.join(gitDir, "objects", "pack"), past, past);
}

/**
 * The default diff (a version against the one before it) is read from one
 * long-lived `git diff-tree --stdin`. Its answer must be the very bytes
 * `git diff FROM TO -- PATH` prints, or nothing (and git is asked instead).
 */
describe("commit patches: the default diff without a git process per diff", function () {
  this.timeout(60_000);

  it("prints what git diff prints: a change, a first version, a file in a folder, a removal", async () => {
    const repo = await openRepo(tempDir());
    try {
      const v1 = (await commitText(repo, "fra/core-1.rsc", exportText(1)))!.commit!;
      const v2 = (await commitText(repo, "fra/core-1.rsc", exportText(2)))!.commit!;
      const other = (await commitText(repo, "edge-1.rsc", exportText(7)))!.commit!;
      const v3 = (await commitText(repo, "fra/core-1.rsc", exportText(3, "/ip dns\nset servers=10.0.0.53\n")))!.commit!;
      const gone = (await commitText(repo, "edge-1.rsc", null))!.commit!;
      settle(repo.gitDir);
      const cases: Array<[string, string, string]> = [
        [EMPTY_TREE, v1, "fra/core-1.rsc"],
        [v1, v2, "fra/core-1.rsc"],
        [v2, v3, "fra/core-1.rsc"],
        [EMPTY_TREE, other, "edge-1.rsc"],
        [other, gone, "edge-1.rsc"],
      ];
      for (const [from, to, file] of cases) {
        const expected = git(repo.gitDir, ["diff", from, to, "--", file]);
        const patch = await repo.patches.patchOf(to, file);
        assert.ok(patch, `the long-lived process answered for ${file} at ${to}`);
        assert.equal(patch.toString("utf8"), expected, `${from}..${to} ${file}`);
      }
      assert.match(git(repo.gitDir, ["diff", other, gone, "--", "edge-1.rsc"]), /^deleted file mode/m, "the removal case is a removal");
      // Through the API's function, from the cache or not: the same bytes.
      assert.equal((await unifiedDiff(repo, v2, v3, "fra/core-1.rsc", { fromIsPrevious: true })).toString(), git(repo.gitDir, ["diff", v2, v3, "--", "fra/core-1.rsc"]));
    } finally {
      repo.close();
    }
  });

  it("does not answer for a commit that changed another file too; git diff answers instead", async () => {
    const repo = await openRepo(tempDir());
    try {
      const v1 = (await commitText(repo, "core-1.rsc", exportText(1)))!.commit!;
      // A commit made outside rosarchive that changes two files at once.
      const blobA = git(repo.gitDir, ["hash-object", "-w", "--stdin"], exportText(2)).trim();
      const blobB = git(repo.gitDir, ["hash-object", "-w", "--stdin"], exportText(5)).trim();
      const tree = git(repo.gitDir, ["mktree"], `100644 blob ${blobA}\tcore-1.rsc\n100644 blob ${blobB}\tcore-2.rsc\n`).trim();
      const both = git(repo.gitDir, ["-c", "user.name=Outside", "-c", "user.email=outside@example.com", "commit-tree", tree, "-p", v1, "-m", "two at once"]).trim();
      settle(repo.gitDir);
      assert.equal(await repo.patches.patchOf(both, "core-1.rsc"), null);
      const expected = git(repo.gitDir, ["diff", v1, both, "--", "core-1.rsc"]);
      assert.ok(!expected.includes("core-2.rsc"));
      assert.equal((await unifiedDiff(repo, v1, both, "core-1.rsc", { fromIsPrevious: true })).toString(), expected);
    } finally {
      repo.close();
    }
  });

  it("starts a fresh process after packs changed, and leaves a patch too long to read here to git", async () => {
    const repo = await openRepo(tempDir());
    try {
      const v1 = (await commitText(repo, "core-1.rsc", exportText(1)))!.commit!;
      const v2 = (await commitText(repo, "core-1.rsc", exportText(2)))!.commit!;
      settle(repo.gitDir);
      assert.ok(await repo.patches.patchOf(v2, "core-1.rsc"));
      // A new pack a moment ago: not answered from the process started before it.
      const v3 = (await commitText(repo, "core-1.rsc", exportText(3)))!.commit!;
      assert.equal(await repo.patches.patchOf(v3, "core-1.rsc"), null);
      settle(repo.gitDir);
      assert.equal((await repo.patches.patchOf(v3, "core-1.rsc"))?.toString(), git(repo.gitDir, ["diff", v2, v3, "--", "core-1.rsc"]));
      // A change of 6 MB of lines: its patch is longer than the process is read for.
      const big = Array.from({ length: 60_000 }, (_, i) => `add comment="${"x".repeat(80)} ${i}" name=line-${i}`).join("\n");
      const v4 = (await commitText(repo, "core-1.rsc", `${exportText(4)}/ip firewall address-list\n${big}\n`))!.commit!;
      const v5 = (await commitText(repo, "core-1.rsc", `${exportText(5)}/ip firewall address-list\n${big}\n`))!.commit!;
      settle(repo.gitDir);
      assert.equal(await repo.patches.patchOf(v4, "core-1.rsc"), null);
      const long = await unifiedDiff(repo, v3, v4, "core-1.rsc", { fromIsPrevious: true });
      assert.ok(long.length > 6_000_000 && long.toString() === git(repo.gitDir, ["diff", v3, v4, "--", "core-1.rsc"]), "git diff answered the long one");
      // ...and the next one is read exactly again, from a new process.
      assert.equal((await repo.patches.patchOf(v5, "core-1.rsc"))?.toString(), git(repo.gitDir, ["diff", v4, v5, "--", "core-1.rsc"]));
      assert.equal(await repo.patches.patchOf(v1, "other.rsc"), null, "a commit that did not change the file asked about");
    } finally {
      repo.close();
    }
  });
});
