import assert from "node:assert/strict";
import path from "node:path";
import { TenantRepo } from "../../src/archive/index.js";
import { commitCount, fsckStrict, git } from "../helpers/git.js";
import { tempDir } from "../helpers/tmp.js";

describe("archive: a commit request with content null deletes the path", () => {
  it("removes the file in one commit, drops an emptied group folder, keeps the file's history, and a later write continues it", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    const repo = await TenantRepo.open(dir, "acme", { fsync: false });
    const previousSeen: Array<string | null> = [];
    const write = (p: string, body: string | null, subject: string) =>
      repo.commitFile({
        path: p,
        content: body === null ? null : Buffer.from(body),
        authorTime: 1_700_000_000,
        message: (prev) => {
          previousSeen.push(prev ? prev.toString() : null);
          return `${path.basename(p, ".rsc")}: ${subject}\n`;
        },
      });
    await write("fra/core-1.rsc", "/ip address\nadd address=10.0.0.1/24\n", "initial snapshot");
    await write("fra/core-2.rsc", "/system identity\nset name=core-2\n", "initial snapshot");
    await write("edge-7.rsc", "/system identity\nset name=edge\n", "initial snapshot");

    previousSeen.length = 0;
    const gone = await write("fra/core-1.rsc", null, "retired from inventory");
    assert.equal(gone.changed, true);
    assert.equal(gone.blob, null);
    // The message builder saw the content that is being removed.
    assert.deepEqual(previousSeen.at(-1), "/ip address\nadd address=10.0.0.1/24\n");
    fsckStrict(gitDir);
    assert.equal(git(gitDir, ["ls-tree", "-r", "--name-only", "main"]).trim().split("\n").sort().join(","), "README.md,edge-7.rsc,fra/core-2.rsc");
    assert.equal(git(gitDir, ["show", "--name-status", "--format=%s", gone.commit!]).trim(), "core-1: retired from inventory\n\nD\tfra/core-1.rsc");

    // Deleting what is not there makes no commit.
    const again = await write("fra/core-1.rsc", null, "retired from inventory");
    assert.deepEqual([again.changed, again.commit], [false, gone.commit]);

    // The last file of a group: the folder goes too (git keeps no empty trees).
    const last = await write("fra/core-2.rsc", null, "retired from config");
    fsckStrict(gitDir);
    assert.equal(git(gitDir, ["ls-tree", "--name-only", "main"]).trim().split("\n").sort().join(","), "README.md,edge-7.rsc");
    assert.deepEqual((await repo.paths()).sort(), ["README.md", "edge-7.rsc"]);

    // It returns: the same path, its history continues.
    const back = await write("fra/core-1.rsc", "/ip address\nadd address=10.0.0.9/24\n", "+1 -0");
    assert.equal(back.parent, last.commit);
    fsckStrict(gitDir);
    assert.equal(commitCount(gitDir, "fra/core-1.rsc"), 3);
    assert.deepEqual((await repo.paths()).sort(), ["README.md", "edge-7.rsc", "fra/core-1.rsc"]);
    repo.close();

    // A fresh writer (after a restart) reads the same tree.
    const reopened = await TenantRepo.open(dir, "acme", { fsync: false });
    assert.deepEqual((await reopened.paths()).sort(), ["README.md", "edge-7.rsc", "fra/core-1.rsc"]);
    reopened.close();
  });
});
