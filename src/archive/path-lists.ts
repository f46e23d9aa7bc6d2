/** Bytes of one binary object id (SHA-1). */
export const ID_BYTES = 20;
/** One entry: the commit, then the file's blob in it (zeros: the commit removed the file). */
export const ENTRY_BYTES = 2 * ID_BYTES;
const NO_BLOB = Buffer.alloc(ID_BYTES);

/** One version of a file: the commit that made it and the blob it left (null: removed). */
export interface Version {
  readonly commit: string;
  readonly blob: string | null;
}

/** A growable run of entries (commit id, blob id). */
class IdRun {
  buf: Buffer;
  count = 0;

  constructor(capacity = 4) {
    this.buf = Buffer.allocUnsafe(capacity * ENTRY_BYTES);
  }

  push(commit: Buffer, blob: Buffer | null): void {
    if ((this.count + 1) * ENTRY_BYTES > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(4, this.count * 2) * ENTRY_BYTES);
      this.buf.copy(next, 0, 0, this.count * ENTRY_BYTES);
      this.buf = next;
    }
    const o = this.count * ENTRY_BYTES;
    commit.copy(this.buf, o, 0, ID_BYTES);
    (blob ?? NO_BLOB).copy(this.buf, o + ID_BYTES, 0, ID_BYTES);
    this.count++;
  }

  versionAt(i: number): Version {
    const o = i * ENTRY_BYTES;
    const blob = this.buf.subarray(o + ID_BYTES, o + ENTRY_BYTES);
    return { commit: this.buf.toString("hex", o, o + ID_BYTES), blob: blob.equals(NO_BLOB) ? null : blob.toString("hex") };
  }

  /** Position of the entry of commit `id`, searching from the end, or -1. */
  lastIndexOf(id: Buffer): number {
    const b = this.buf;
    const first = id.readUInt32LE(0);
    for (let i = this.count - 1; i >= 0; i--) {
      const o = i * ENTRY_BYTES;
      if (b.readUInt32LE(o) === first && b.compare(id, 0, ID_BYTES, o, o + ID_BYTES) === 0) return i;
    }
    return -1;
  }
}

/**
 * The versions of one path, oldest first: each the commit that touched it
 * and the blob it left, as binary ids (40 bytes; a million versions take
 * 40 MB, not the ~200 MB of as many hex strings). With the blob ids a
 * history page reads each version's file directly, not through its
 * commit's root tree (git resolves `<commit>:<path>` from a tree of every
 * device of the tenant). Two
 * runs let the list grow at both ends without moving anything: `older`
 * (newest first) as history is read backward from a tip, `newer` (oldest
 * first) as main moves on.
 */
export class PathList {
  private readonly older = new IdRun();
  private readonly newer: IdRun;

  constructor(newer?: Buffer) {
    this.newer = new IdRun(newer ? Math.ceil((newer.length / ENTRY_BYTES) * 1.25) + 4 : 4);
    if (newer) {
      newer.copy(this.newer.buf);
      this.newer.count = newer.length / ENTRY_BYTES;
    }
  }

  get length(): number {
    return this.older.count + this.newer.count;
  }

  /** Adds a version newer than every one listed. */
  append(commit: Buffer, blob: Buffer | null): void {
    this.newer.push(commit, blob);
  }

  /** Adds a version older than every one listed. */
  prepend(commit: Buffer, blob: Buffer | null): void {
    this.older.push(commit, blob);
  }

  /** The version at position `i` (0 = oldest). */
  at(i: number): Version {
    const o = this.older.count;
    return i < o ? this.older.versionAt(o - 1 - i) : this.newer.versionAt(i - o);
  }

  /** Position (0 = oldest) of the hex id `commit`, or -1. */
  lastIndexOf(commit: string): number {
    const id = Buffer.from(commit, "hex");
    if (id.length !== ID_BYTES) return -1;
    const n = this.newer.lastIndexOf(id);
    if (n >= 0) return this.older.count + n;
    const o = this.older.lastIndexOf(id);
    return o >= 0 ? this.older.count - 1 - o : -1;
  }

  /** Versions from `start` to `end` (exclusive), newest first. */
  newestFirst(start: number, end: number): Version[] {
    const out: Version[] = [];
    for (let i = end - 1; i >= start; i--) out.push(this.at(i));
    return out;
  }

  /** The whole list, oldest first, as one buffer of entries. */
  bytes(): Buffer {
    const out = Buffer.allocUnsafe(this.length * ENTRY_BYTES);
    const o = this.older.count;
    for (let i = 0; i < o; i++) this.older.buf.copy(out, i * ENTRY_BYTES, (o - 1 - i) * ENTRY_BYTES, (o - i) * ENTRY_BYTES);
    this.newer.buf.copy(out, o * ENTRY_BYTES, 0, this.newer.count * ENTRY_BYTES);
    return out;
  }
}
