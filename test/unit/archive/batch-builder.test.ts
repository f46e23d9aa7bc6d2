import assert from "node:assert/strict";
import { buildBatch, splitPath } from "../../../src/archive/batch-builder.js";
import { decodeTree, encodeTree, makeObject, type TreeEntry } from "../../../src/archive/objects.js";

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

  it("every tree of a long run of batches is byte for byte the tree encoded anew (changes, additions, removals, groups)", () => {
    // The model: what each tree must hold, kept here independently of buildBatch.
    const model = new Map<string, Map<string, TreeEntry>>([["", new Map()]]);
    let base = { head: null as string | null, root: new Map<string, TreeEntry>(), subtrees: new Map<string, Map<string, TreeEntry>>() };
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let b = 0; b < 40; b++) {
      const changes = Array.from({ length: 1 + rand(6) }, (_, k) => {
        const dir = ["", "", "fra", "ams"][rand(4)]!;
        const file = `d${rand(12)}.rsc`;
        const remove = rand(5) === 0;
        return { path: dir ? `${dir}/${file}` : file, blob: remove ? null : blob(`/x\nset v=${b}-${k}\n`), message: `m ${b} ${k}\n`, authorTime: b };
      });
      const built = buildBatch(base, changes, IDENT);
      changes.forEach((c, k) => {
        const [dir, name] = splitPath(c.path);
        const tree = model.get(dir ?? "") ?? new Map<string, TreeEntry>();
        model.set(dir ?? "", tree);
        if (c.blob) tree.set(name, { mode: "100644", id: c.blob.id });
        else tree.delete(name);
        const root = model.get("")!;
        if (dir) {
          if (tree.size === 0) root.delete(dir);
          else root.set(dir, { mode: "40000", id: makeObject("tree", encodeTree(tree)).id });
        }
        const commit = built.objects.find((o) => o.id === built.commits[k]!.commit)!;
        const rootTree = built.objects.find((o) => o.id === commit.body.toString("latin1", 5, 45))!;
        assert.ok(rootTree.body.equals(encodeTree(root)), `batch ${b}, change ${k}: root tree`);
      });
      base = { head: built.head, root: built.root, subtrees: new Map([...base.subtrees, ...built.subtrees]) };
    }
  });
});
