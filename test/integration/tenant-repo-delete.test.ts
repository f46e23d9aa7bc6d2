import assert from "node:assert/strict";
import path from "node:path";
import { commitCount, fsckStrict, git } from "../helpers/git.js";
import { commitText, openRepo } from "../helpers/archive.js";
import { tempDir } from "../helpers/tmp.js";

describe("archive: files at main, through removals and returns (retirement)", () => {
  it("lists root and group files as git does; a removed file is gone from the list, an emptied group too; one that returns continues its history", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "acme.git");
    const repo = await openRepo(dir);
    const listed = async () => (await repo.filesAtMain()).sort();
    const gitListed = () => git(gitDir, ["ls-tree", "-r", "--name-only", "main"]).trim().split("\n").sort();
    await commitText(repo, "fra/core-1.rsc", "/ip address\nadd address=10.0.0.1/24\n");
    await commitText(repo, "fra/core-2.rsc", "/system identity\nset name=core-2\n");
    await commitText(repo, "edge-7.rsc", "/system identity\nset name=edge\n");
    assert.deepEqual(await listed(), ["README.md", "edge-7.rsc", "fra/core-1.rsc", "fra/core-2.rsc"]);
    assert.deepEqual(await listed(), gitListed());

    await commitText(repo, "fra/core-1.rsc", null);
    await commitText(repo, "fra/core-2.rsc", null);
    fsckStrict(gitDir);
    assert.deepEqual(await listed(), ["README.md", "edge-7.rsc"]);
    assert.deepEqual(await listed(), gitListed());

    const back = await commitText(repo, "fra/core-1.rsc", "/ip address\nadd address=10.0.0.9/24\n");
    assert.equal(back.changed, true);
    fsckStrict(gitDir);
    assert.equal(commitCount(gitDir, "fra/core-1.rsc"), 3);
    repo.close();
    const reopened = await openRepo(dir);
    assert.deepEqual((await reopened.filesAtMain()).sort(), ["README.md", "edge-7.rsc", "fra/core-1.rsc"]);
    reopened.close();
  });
});
