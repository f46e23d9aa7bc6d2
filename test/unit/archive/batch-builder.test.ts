import assert from "node:assert/strict";
import { buildBatch, splitPath } from "../../../src/archive/batch-builder.js";
import { decodeTree, makeObject, type TreeEntry } from "../../../src/archive/objects.js";

const IDENT = { name: "rosarchive", email: "rosarchive@localhost", time: 1_700_000_100 };
const blob = (text: string) => makeObject("blob", Buffer.from(text));
const treeOf = (objects: ReturnType<typeof buildBatch>["objects"], id: string) => decodeTree(objects.find((o) => o.id === id)!.body);
const commitTree = (objects: ReturnType<typeof buildBatch>["objects"], commit: string) => objects.find((o) => o.id === commit)!.body.toString("latin1", 5, 45);

describe("archive: buildBatch (pure)", () => {
  it("splits a path into its group folder and file name", () => {
    assert.deepEqual(splitPath("fra/core-1.rsc"), ["fra", "core-1.rsc"]);
    assert.deepEqual(splitPath("core-1.rsc"), [null, "core-1.rsc"]);
  });

  it("makes one commit per change, chained in order, each root tree holding every file so far", () => {
    const a = blob("/x\nset a=1\n");
    const b = blob("/x\nset b=1\n");
    const built = buildBatch({ head: null, root: new Map(), subtrees: new Map() }, [
      { path: "fra/a.rsc", blob: a, message: "a: initial snapshot\n", authorTime: 1 },
      { path: "b.rsc", blob: b, message: "b: initial snapshot\n", authorTime: 2 },
    ], IDENT);
    assert.equal(built.commits.length, 2);
    assert.equal(built.commits[0]!.parent, null);
    assert.equal(built.commits[1]!.parent, built.commits[0]!.commit);
    assert.equal(built.head, built.commits[1]!.commit);
    const first = treeOf(built.objects, commitTree(built.objects, built.commits[0]!.commit));
    assert.deepEqual([...first.keys()], ["fra"]);
    const second = treeOf(built.objects, commitTree(built.objects, built.head!));
    assert.deepEqual([...second.keys()].sort(), ["b.rsc", "fra"]);
    assert.equal(treeOf(built.objects, second.get("fra")!.id).get("a.rsc")!.id, a.id);
    const commitText = built.objects.find((o) => o.id === built.head)!.body.toString("utf8");
    assert.match(commitText, /^author rosarchive <rosarchive@localhost> 2 \+0000$/m);
    assert.match(commitText, /^committer rosarchive <rosarchive@localhost> 1700000100 \+0000$/m);
  });

  it("a removal drops the file, and a group folder left empty disappears from the root", () => {
    const a = blob("/x\nset a=1\n");
    const sub = new Map<string, TreeEntry>([["a.rsc", { mode: "100644", id: a.id }]]);
    const subTree = makeObject("tree", Buffer.from(`100644 a.rsc\0${Buffer.from(a.id, "hex").toString("latin1")}`, "latin1"));
    const root = new Map<string, TreeEntry>([["fra", { mode: "40000", id: subTree.id }], ["README.md", { mode: "100644", id: a.id }]]);
    const built = buildBatch({ head: "1".repeat(40), root, subtrees: new Map([["fra", sub]]) }, [{ path: "fra/a.rsc", blob: null, message: "a: retired\n", authorTime: 3 }], IDENT);
    assert.deepEqual([...built.root.keys()], ["README.md"]);
    assert.equal(built.commits[0]!.parent, "1".repeat(40));
    assert.deepEqual([...treeOf(built.objects, commitTree(built.objects, built.head!)).keys()], ["README.md"]);
    assert.equal(root.has("fra"), true, "the published trees are not modified");
  });
});
