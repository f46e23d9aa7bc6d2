import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { decodeTree, encodeCommit, encodeTree, hashObject, makeObject, type TreeEntry } from "../../../src/archive/objects.js";
import { encodePack, type PackEntry } from "../../../src/archive/pack-files.js";
import { idDelta } from "../../../src/archive/tree-delta.js";
import { EncodedTree } from "../../../src/archive/tree-encoding.js";
import { git } from "../../helpers/git.js";
import { tempDir } from "../../helpers/tmp.js";

/** The object encoders against stock git's own output for the same input. */
describe("archive: object encoders produce what stock git produces", () => {
  let gitDir: string;
  before(() => {
    gitDir = path.join(tempDir(), "x.git");
    execFileSync("git", ["init", "-q", "--bare", gitDir]);
  });

  it("hashObject names a blob as git hash-object does", () => {
    for (const body of ["", "/ip address\nadd address=10.0.0.1/24\n", "ünïcödé \\D0\\9F\n"]) {
      assert.equal(hashObject("blob", Buffer.from(body)), git(gitDir, ["hash-object", "--stdin"], body).trim());
    }
  });

  it("encodeTree writes git mktree's bytes, in git's order (a folder sorts as if it ended in /)", () => {
    const blob = git(gitDir, ["hash-object", "-w", "--stdin"], "x\n").trim();
    const sub = git(gitDir, ["mktree"], `100644 blob ${blob}\tcore-1.rsc\n`).trim();
    const entries = new Map<string, TreeEntry>([
      ["fra.rsc", { mode: "100644", id: blob }],
      ["fra", { mode: "40000", id: sub }],
      ["fra-2", { mode: "100644", id: blob }],
      ["README.md", { mode: "100644", id: blob }],
      ["a", { mode: "100644", id: blob }],
    ]);
    const listing = [...entries].map(([name, e]) => `${e.mode === "40000" ? "040000 tree" : "100644 blob"} ${e.id}\t${name}\n`).join("");
    const theirs = git(gitDir, ["mktree"], listing).trim();
    const ours = encodeTree(entries);
    assert.equal(hashObject("tree", ours), theirs);
    assert.deepEqual(execFileSync("git", ["--git-dir", gitDir, "cat-file", "tree", theirs]), ours);
    assert.deepEqual([...decodeTree(ours)].sort(), [...entries].sort());
  });

  it("encodeCommit writes git commit-tree's bytes for the same tree, parent, identity, times and message", () => {
    const tree = git(gitDir, ["mktree"], "").trim();
    const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "rosarchive", GIT_AUTHOR_EMAIL: "rosarchive@localhost", GIT_COMMITTER_NAME: "rosarchive", GIT_COMMITTER_EMAIL: "rosarchive@localhost", GIT_AUTHOR_DATE: "1700000000 +0000", GIT_COMMITTER_DATE: "1700000123 +0000" };
    const message = "core-1: initial snapshot\n\nDevice: core-1\nNormalizer: 1\n";
    const parent = execFileSync("git", ["--git-dir", gitDir, "commit-tree", tree, "-m", "first"], { env, encoding: "utf8" }).trim();
    const theirs = execFileSync("git", ["--git-dir", gitDir, "commit-tree", tree, "-p", parent, "-F", "-"], { env, input: message, encoding: "utf8" }).trim();
    const ours = encodeCommit({ tree, parents: [parent], author: { name: "rosarchive", email: "rosarchive@localhost", time: 1_700_000_000 }, committer: { name: "rosarchive", email: "rosarchive@localhost", time: 1_700_000_123 }, message });
    assert.equal(hashObject("commit", ours), theirs);
    assert.deepEqual(execFileSync("git", ["--git-dir", gitDir, "cat-file", "commit", theirs]), ours);
  });

  it("encodePack writes a pack git verifies, and the very index git index-pack builds from it", () => {
    const objects = [makeObject("blob", Buffer.from("/system identity\nset name=a\n")), makeObject("blob", Buffer.alloc(70_000, 0x61))];
    const tree = makeObject("tree", encodeTree(new Map(objects.map((o, i) => [`f${i}`, { mode: "100644", id: o.id }]))));
    const all = [...objects, tree].map((o) => ({ type: o.type, id: o.id, size: o.body.length, body: o.body, deflated: false }));
    const { pack, idx, checksum } = encodePack(all);
    const dir = tempDir();
    const packFile = path.join(dir, `pack-${checksum}.pack`);
    writeFileSync(packFile, pack);
    const out = execFileSync("git", ["index-pack", "-o", path.join(dir, "git.idx"), packFile], { encoding: "utf8" }).trim();
    assert.equal(out, checksum);
    assert.deepEqual(readFileSync(path.join(dir, "git.idx")), idx, "same index bytes as git's");
    writeFileSync(path.join(dir, `pack-${checksum}.idx`), idx);
    const listed = execFileSync("git", ["verify-pack", "-v", packFile], { encoding: "utf8" });
    for (const o of all) assert.match(listed, new RegExp(`^${o.id} ${o.type} `, "m"));
  });

  it("trees that differ in ids go as OFS_DELTA entries git reads back exactly, with the index git itself builds", () => {
    // A wide tree (more than one 64 KiB copy between changes), then versions with one and then three ids replaced.
    const names = Array.from({ length: 3000 }, (_, i) => `d${i}.rsc`);
    const id = (s: string) => makeObject("blob", Buffer.from(s)).id;
    let tree = new Map(names.map((n) => [n, { mode: "100644", id: id(n) }] as const));
    let enc = EncodedTree.of(tree);
    const base = makeObject("tree", enc.bytes);
    const entries: PackEntry[] = [{ type: "tree", id: base.id, size: base.body.length, body: base.body, deflated: false }];
    const changed: number[] = [];
    const expected: Array<{ id: string; body: Buffer }> = [];
    for (const [k, n] of ["d0.rsc", "d1500.rsc", "d2999.rsc"].entries()) {
      changed.push(enc.idOffset(n)!);
      enc = enc.withId(n, "100644", id(`v${k}`))!;
      tree = new Map(tree).set(n, { mode: "100644", id: id(`v${k}`) });
      assert.ok(enc.bytes.equals(encodeTree(tree)), "the patched encoding is the tree encoded anew");
      const t = makeObject("tree", enc.bytes);
      expected.push(t);
      entries.push({ type: "tree", id: t.id, size: t.body.length, body: idDelta(base.body, enc.bytes, changed), deflated: false, base: base.id });
    }
    const { pack, idx, checksum } = encodePack(entries);
    const dir = tempDir();
    const gitDir = path.join(dir, "r.git");
    execFileSync("git", ["init", "-q", "--bare", gitDir]);
    const packFile = path.join(gitDir, "objects/pack", `pack-${checksum}.pack`);
    writeFileSync(packFile, pack);
    assert.equal(execFileSync("git", ["index-pack", "-o", path.join(dir, "git.idx"), packFile], { encoding: "utf8" }).trim(), checksum);
    assert.deepEqual(readFileSync(path.join(dir, "git.idx")), idx, "same index bytes as git's");
    writeFileSync(packFile.replace(/\.pack$/, ".idx"), idx);
    const listed = execFileSync("git", ["verify-pack", "-v", packFile], { encoding: "utf8" });
    for (const t of expected) {
      assert.match(listed, new RegExp(`^${t.id} tree +\\d+ \\d+ \\d+ 1 ${base.id}$`, "m"), "a delta of depth 1 on the first tree");
      assert.ok(execFileSync("git", ["--git-dir", gitDir, "cat-file", "tree", t.id]).equals(t.body));
    }
  });
});
