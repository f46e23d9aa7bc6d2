/** Bytes of one binary commit id (SHA-1). */
export const ID_BYTES = 20;

/** A growable run of 20-byte commit ids. */
class IdRun {
  buf: Buffer;
  count = 0;

  constructor(capacity = 4) {
    this.buf = Buffer.allocUnsafe(capacity * ID_BYTES);
  }

  push(id: Buffer, at = 0): void {
    if ((this.count + 1) * ID_BYTES > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(4, this.count * 2) * ID_BYTES);
      this.buf.copy(next, 0, 0, this.count * ID_BYTES);
      this.buf = next;
    }
    id.copy(this.buf, this.count * ID_BYTES, at, at + ID_BYTES);
    this.count++;
  }

  hexAt(i: number): string {
    return this.buf.toString("hex", i * ID_BYTES, (i + 1) * ID_BYTES);
  }

  /** Position of `id` searching from the end, or -1. */
  lastIndexOf(id: Buffer): number {
    const b = this.buf;
    const first = id.readUInt32LE(0);
    for (let i = this.count - 1; i >= 0; i--) {
      const o = i * ID_BYTES;
      if (b.readUInt32LE(o) === first && b.compare(id, 0, ID_BYTES, o, o + ID_BYTES) === 0) return i;
    }
    return -1;
  }
}

/**
 * The commits that touched one path, oldest first, as 20-byte ids: a
 * million commits take 20 MB, not the ~100 MB of as many hex strings. Two
 * runs let the list grow at both ends without moving anything: `older`
 * (newest first) as history is read backward from a tip, `newer` (oldest
 * first) as main moves on.
 */
export class PathList {
  private readonly older = new IdRun();
  private readonly newer: IdRun;

  constructor(newer?: Buffer) {
    this.newer = new IdRun(newer ? Math.ceil((newer.length / ID_BYTES) * 1.25) + 4 : 4);
    if (newer) {
      newer.copy(this.newer.buf);
      this.newer.count = newer.length / ID_BYTES;
    }
  }

  get length(): number {
    return this.older.count + this.newer.count;
  }

  /** Adds a commit newer than every one listed. */
  append(id: Buffer, at = 0): void {
    this.newer.push(id, at);
  }

  /** Adds a commit older than every one listed. */
  prepend(id: Buffer, at = 0): void {
    this.older.push(id, at);
  }

  /** The id at position `i` (0 = oldest), hex. */
  at(i: number): string {
    const o = this.older.count;
    return i < o ? this.older.hexAt(o - 1 - i) : this.newer.hexAt(i - o);
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

  /** Ids from `start` to `end` (exclusive), newest first. */
  newestFirst(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = end - 1; i >= start; i--) out.push(this.at(i));
    return out;
  }

  /** The whole list, oldest first, as one buffer of ids. */
  bytes(): Buffer {
    const out = Buffer.allocUnsafe(this.length * ID_BYTES);
    const o = this.older.count;
    for (let i = 0; i < o; i++) this.older.buf.copy(out, i * ID_BYTES, (o - 1 - i) * ID_BYTES, (o - i) * ID_BYTES);
    this.newer.buf.copy(out, o * ID_BYTES, 0, this.newer.count * ID_BYTES);
    return out;
  }
}
