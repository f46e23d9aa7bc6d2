import { encodeTree, type TreeEntry } from "./objects.js";

/**
 * A tree as git encodes it, with where each entry sits in the bytes. A
 * snapshot changes one file's blob id; the tree that holds it then differs
 * from the last one in those 20 bytes only, so the next tree is a copy with
 * them overwritten instead of all entries sorted and written again (at
 * 10,000 devices in one folder, 2.5 ms per commit down to a copy of its
 * 370 KB). Anything else (an entry added or removed, another mode) is
 * encoded anew.
 */
export class EncodedTree {
  private constructor(
    readonly bytes: Buffer,
    /** Name -> offset of the entry's mode (its 20-byte id follows the NUL after its name). */
    private readonly entries: ReadonlyMap<string, { readonly at: number; readonly mode: string; readonly idAt: number }>,
  ) {}

  /** The encoding of `tree` (exactly `encodeTree`'s bytes). */
  static of(tree: ReadonlyMap<string, TreeEntry>): EncodedTree {
    const bytes = encodeTree(tree);
    const entries = new Map<string, { at: number; mode: string; idAt: number }>();
    for (let at = 0; at < bytes.length; ) {
      const space = bytes.indexOf(0x20, at);
      const nul = bytes.indexOf(0, space);
      entries.set(bytes.toString("utf8", space + 1, nul), { at, mode: bytes.toString("latin1", at, space), idAt: nul + 1 });
      at = nul + 21;
    }
    return new EncodedTree(bytes, entries);
  }

  /**
   * The same tree with `name` pointing at `id`, when `name` is already in
   * it with this `mode`; null otherwise (the caller encodes the tree anew).
   */
  withId(name: string, mode: string, id: string): EncodedTree | null {
    const e = this.entries.get(name);
    if (!e || e.mode !== mode) return null;
    const bytes = Buffer.from(this.bytes);
    bytes.write(id, e.idAt, 20, "hex");
    return new EncodedTree(bytes, this.entries);
  }

  /** Where the id of `name` sits in the bytes (with `withId`, what a delta against an earlier encoding replaces). */
  idOffset(name: string): number | null {
    return this.entries.get(name)?.idAt ?? null;
  }
}

/**
 * Encodings by the tree (the Map) they encode. Trees handed to buildBatch
 * and the ones it returns are never changed afterwards (each batch works on
 * copies), so an encoding found here is that tree's.
 */
const known = new WeakMap<ReadonlyMap<string, TreeEntry>, EncodedTree>();

/** The encoding of `tree`, made once per tree object. */
export function encodedTree(tree: ReadonlyMap<string, TreeEntry>): EncodedTree {
  let e = known.get(tree);
  if (!e) known.set(tree, (e = EncodedTree.of(tree)));
  return e;
}

/** Records that `enc` is the encoding of `tree` (which must not change from now on). */
export function rememberEncoding(tree: ReadonlyMap<string, TreeEntry>, enc: EncodedTree): void {
  known.set(tree, enc);
}
