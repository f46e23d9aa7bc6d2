import { createHash } from "node:crypto";
import { ENTRY_BYTES } from "./path-lists.js";

/**
 * Where a repository's per-path commit index is kept, beside its objects
 * (git ignores the folder; a clone never carries it). Versioned by name: a
 * change of format starts a new file instead of reading an old one.
 */
export const PATH_INDEX_FILE = "rosarchive/path-index-v1.bin";

const MAGIC = Buffer.from("rosarchive path index 1 (commit, blob)\n", "latin1");
const HASH_BYTES = 32;
const COMMIT_ID = /^[0-9a-f]{40}$/;

/** What the file holds: every path's versions (commit and blob ids), oldest first, up to `head` (from the root: the index is complete). */
export interface PathIndexSnapshot {
  readonly head: string;
  readonly lists: ReadonlyArray<readonly [path: string, ids: Buffer]>;
}

/**
 * `MAGIC`, a JSON header (u32 length first), then per path its UTF-8 name
 * and its ids (each with a u32 length first), then the SHA-256 of all that:
 * a torn or damaged file is told apart from a good one before anything in
 * it is used.
 */
export function encodePathIndex(s: PathIndexSnapshot): Buffer {
  const header = Buffer.from(JSON.stringify({ head: s.head, paths: s.lists.length }), "utf8");
  const parts: Buffer[] = [MAGIC, u32(header.length), header];
  for (const [p, ids] of s.lists) {
    const name = Buffer.from(p, "utf8");
    parts.push(u32(name.length), name, u32(ids.length / ENTRY_BYTES), ids);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash("sha256").update(body).digest()]);
}

/** The snapshot in `buf`, or null when it is not exactly what `encodePathIndex` writes (damaged, torn, another format). */
export function decodePathIndex(buf: Buffer): PathIndexSnapshot | null {
  if (buf.length < MAGIC.length + 4 + HASH_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const end = buf.length - HASH_BYTES;
  if (!createHash("sha256").update(buf.subarray(0, end)).digest().equals(buf.subarray(end))) return null;
  let at = MAGIC.length;
  const take = (n: number): Buffer | null => {
    if (n < 0 || at + n > end) return null;
    const out = buf.subarray(at, at + n);
    at += n;
    return out;
  };
  const readU32 = (): number | null => {
    const b = take(4);
    return b ? b.readUInt32LE(0) : null;
  };
  const headerLen = readU32();
  const headerBuf = headerLen === null ? null : take(headerLen);
  if (!headerBuf) return null;
  let header: { head?: unknown; paths?: unknown };
  try {
    header = JSON.parse(headerBuf.toString("utf8")) as typeof header;
  } catch {
    return null;
  }
  if (typeof header.head !== "string" || !COMMIT_ID.test(header.head) || !Number.isSafeInteger(header.paths)) return null;
  const lists: Array<readonly [string, Buffer]> = [];
  for (let i = 0; i < (header.paths as number); i++) {
    const nameLen = readU32();
    const name = nameLen === null ? null : take(nameLen);
    const count = readU32();
    const ids = count === null ? null : take(count * ENTRY_BYTES);
    if (!name || name.length === 0 || !ids) return null;
    lists.push([name.toString("utf8"), ids]);
  }
  if (at !== end) return null;
  return { head: header.head, lists };
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(n, 0);
  return b;
}
