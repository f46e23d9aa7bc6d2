import { createHash } from "node:crypto";

/**
 * Pure encoders for the three git object kinds we write. Hashing in-process
 * lets the dedup check (is this snapshot's blob the one already archived?)
 * cost a SHA-1 instead of a `git hash-object` spawn.
 */
export type ObjectType = "blob" | "tree" | "commit";

export interface GitObject {
  readonly type: ObjectType;
  readonly id: string;
  /** Body without the `<type> <size>\0` header. */
  readonly body: Buffer;
}

export function hashObject(type: ObjectType, body: Buffer): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

export function makeObject(type: ObjectType, body: Buffer): GitObject {
  return { type, id: hashObject(type, body), body };
}

export interface TreeEntry {
  readonly mode: string; // "100644" file, "40000" tree (git's canonical spelling, fsck --strict checks it)
  readonly id: string;
}

/** Git's order: byte order of names, with trees compared as if they ended in `/`. */
function sortKey(name: string, mode: string): string {
  return mode === "40000" ? `${name}/` : name;
}

const ASCII = /^[\x20-\x7e]*$/;

/** Each entry's id as 20 latin1 characters, computed once per entry object: trees are re-encoded on every commit. */
const binaryIds = new WeakMap<TreeEntry, string>();

function binaryId(e: TreeEntry): string {
  let bin = binaryIds.get(e);
  if (bin === undefined) binaryIds.set(e, (bin = Buffer.from(e.id, "hex").toString("latin1")));
  return bin;
}

export function encodeTree(entries: ReadonlyMap<string, TreeEntry>): Buffer {
  const keyed = [...entries].map(([name, e]) => ({ name, e, key: sortKey(name, e.mode) }));
  // Our names are ASCII ids, where string order is byte order and one latin1 string
  // builds the whole tree; anything else is compared and written as UTF-8 bytes.
  if (keyed.every((k) => ASCII.test(k.key))) {
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    let text = "";
    for (const k of keyed) text += `${k.e.mode} ${k.name}\0${binaryId(k.e)}`;
    return Buffer.from(text, "latin1");
  }
  keyed.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  let size = 0;
  for (const k of keyed) size += k.e.mode.length + 1 + Buffer.byteLength(k.name) + 1 + 20;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const k of keyed) {
    pos += out.write(`${k.e.mode} ${k.name}\0`, pos, "utf8");
    pos += out.write(k.e.id, pos, "hex");
  }
  return out;
}

export function decodeTree(body: Buffer): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  let pos = 0;
  while (pos < body.length) {
    const sp = body.indexOf(0x20, pos);
    const nul = body.indexOf(0, sp);
    const mode = body.toString("latin1", pos, sp);
    const name = body.toString("utf8", sp + 1, nul);
    const id = body.toString("hex", nul + 1, nul + 21);
    out.set(name, { mode, id });
    pos = nul + 21;
  }
  return out;
}

export interface Signature {
  readonly name: string;
  readonly email: string;
  /** Unix seconds. */
  readonly time: number;
}

export function encodeCommit(c: { tree: string; parents: readonly string[]; author: Signature; committer: Signature; message: string }): Buffer {
  const sig = (s: Signature) => `${s.name} <${s.email}> ${s.time} +0000`;
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${sig(c.author)}`, `committer ${sig(c.committer)}`];
  const message = c.message.endsWith("\n") ? c.message : `${c.message}\n`;
  return Buffer.from(`${lines.join("\n")}\n\n${message}`, "utf8");
}

export function treeIdOfCommit(body: Buffer): string {
  return body.toString("latin1", 5, 45);
}
