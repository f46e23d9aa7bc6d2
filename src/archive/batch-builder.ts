import { encodeCommit, makeObject, type GitObject, type Signature, type TreeEntry } from "./objects.js";
import { idDelta } from "./tree-delta.js";
import { EncodedTree, encodedTree, rememberEncoding } from "./tree-encoding.js";

/** An object for a pack; a blob's deflated body may be computed ahead, on the pack thread. */
export interface PackObject extends GitObject {
  readonly deflated?: Promise<Buffer | null>;
  /** The object as a delta (git's format) against `base`, an object earlier in the same pack. */
  readonly delta?: { readonly base: string; readonly data: Buffer };
}

/** The published state a batch builds on: the tip and its trees. */
export interface TreeState {
  readonly head: string | null;
  readonly root: ReadonlyMap<string, TreeEntry>;
  /** The subtree of every group folder the batch touches (loaded by the caller). */
  readonly subtrees: ReadonlyMap<string, ReadonlyMap<string, TreeEntry>>;
}

/** One change of one file: new content (its blob), or its removal. */
export interface BatchChange {
  readonly path: string;
  /** The new blob, or null to remove the file. */
  readonly blob: PackObject | null;
  readonly message: string;
  /** Author time (collection time), unix seconds. */
  readonly authorTime: number;
}

export interface BuiltBatch {
  /** Every new object, for one pack. */
  readonly objects: PackObject[];
  readonly head: string | null;
  readonly root: Map<string, TreeEntry>;
  /** New subtrees by group folder (an emptied folder maps to an empty tree and is dropped from root). */
  readonly subtrees: Map<string, Map<string, TreeEntry>>;
  /** One per change, in order: the commit made for it and its parent. */
  readonly commits: ReadonlyArray<{ readonly commit: string; readonly parent: string | null }>;
}

/** `fra/core-1.rsc` -> [`fra`, `core-1.rsc`]; a top-level file has no folder. */
export function splitPath(p: string): [string | null, string] {
  const i = p.indexOf("/");
  return i < 0 ? [null, p] : [p.slice(0, i), p.slice(i + 1)];
}

/**
 * Pure: one commit per change on top of `base`, each touching one file, in
 * order; trees are rebuilt only along the changed path, and a tree whose
 * only change is one entry's id is the last encoding with those 20 bytes
 * replaced (tree-encoding.ts). The caller decided that every change really
 * changes its file. The trees of `base` and of the result are never changed
 * afterwards.
 */
export function buildBatch(base: TreeState, changes: readonly BatchChange[], committer: Omit<Signature, "time"> & { readonly time: number }): BuiltBatch {
  const root = new Map(base.root);
  let rootEnc: EncodedTree | null = encodedTree(base.root);
  const subtrees = new Map<string, Map<string, TreeEntry>>();
  const subEnc = new Map<string, EncodedTree | null>();
  const subtreeOf = (dir: string): Map<string, TreeEntry> => {
    let t = subtrees.get(dir);
    if (!t) {
      const published = base.subtrees.get(dir);
      subtrees.set(dir, (t = new Map(published ?? [])));
      subEnc.set(dir, published ? encodedTree(published) : null);
    }
    return t;
  };
  const objects: PackObject[] = [];
  const commits: Array<{ commit: string; parent: string | null }> = [];
  let head = base.head;
  /** The batch's last root tree written whole, and the id offsets changed since (its later trees are deltas against it). */
  let rootBase: { id: string; bytes: Buffer; changed: Set<number> } | null = null;
  for (const change of changes) {
    const [dir, name] = splitPath(change.path);
    /** Where this change replaced an id in the root tree (null: the root was encoded anew). */
    let changed: number | null = null;
    if (dir) {
      const tree = subtreeOf(dir);
      let enc: EncodedTree | null = null;
      if (change.blob) {
        enc = subEnc.get(dir)?.withId(name, "100644", change.blob.id) ?? null;
        tree.set(name, { mode: "100644", id: change.blob.id });
        objects.push(change.blob);
      } else tree.delete(name);
      if (tree.size === 0) {
        root.delete(dir);
        subEnc.delete(dir);
        rootEnc = null;
        changed = null;
      } else {
        enc ??= EncodedTree.of(tree);
        subEnc.set(dir, enc);
        const sub = makeObject("tree", enc.bytes);
        objects.push(sub);
        changed = rootEnc?.idOffset(dir) ?? null;
        rootEnc = rootEnc?.withId(dir, "40000", sub.id) ?? null;
        root.set(dir, { mode: "40000", id: sub.id });
      }
    } else if (change.blob) {
      changed = rootEnc?.idOffset(name) ?? null;
      rootEnc = rootEnc?.withId(name, "100644", change.blob.id) ?? null;
      root.set(name, { mode: "100644", id: change.blob.id });
      objects.push(change.blob);
    } else {
      root.delete(name);
      rootEnc = null;
    }
    if (rootEnc === null) {
      rootEnc = EncodedTree.of(root);
      rootBase = null;
    }
    let rootTree: PackObject = makeObject("tree", rootEnc.bytes);
    // The first root tree of the batch goes whole; the next ones, when only ids changed, as deltas against it.
    if (rootBase && changed !== null) {
      rootBase.changed.add(changed);
      rootTree = { ...rootTree, delta: { base: rootBase.id, data: idDelta(rootBase.bytes, rootEnc.bytes, rootBase.changed) } };
    } else if (!rootBase) rootBase = { id: rootTree.id, bytes: rootEnc.bytes, changed: new Set() };
    const commit = makeObject(
      "commit",
      encodeCommit({
        tree: rootTree.id,
        parents: head ? [head] : [],
        author: { name: committer.name, email: committer.email, time: change.authorTime },
        committer,
        message: change.message,
      }),
    );
    objects.push(rootTree, commit);
    commits.push({ commit: commit.id, parent: head });
    head = commit.id;
  }
  // What is handed back is never changed again: the encodings made here answer for it in the next batch.
  rememberEncoding(root, rootEnc!);
  for (const [dir, t] of subtrees) {
    const enc = subEnc.get(dir);
    if (enc) rememberEncoding(t, enc);
  }
  return { objects, head, root, subtrees, commits };
}
