/**
 * Git's delta format (as in a pack's OFS_DELTA entries) for two encodings
 * of one tree that differ only in some 20-byte ids: copy the bytes around
 * them from the base, insert the new ids. At 10,000 devices in one folder a
 * commit's 370 KB root tree becomes a delta of some tens of bytes, as
 * fast-import writes it, instead of 370 KB to deflate.
 */

/** Base-128 little-endian size (the delta header's two sizes). */
function sizeBytes(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** Copy `size` bytes from `offset` of the base, in pieces of at most 64 KiB (as git writes them). */
function copyOps(out: number[], offset: number, size: number): void {
  while (size > 0) {
    const n = Math.min(size, 0x10000);
    const op: number[] = [];
    let cmd = 0x80;
    for (let i = 0; i < 4; i++) {
      const b = Math.floor(offset / 2 ** (8 * i)) & 0xff;
      if (b) {
        cmd |= 1 << i;
        op.push(b);
      }
    }
    const sz = n === 0x10000 ? 0 : n; // 0 means 64 KiB
    for (let i = 0; i < 3; i++) {
      const b = (sz >> (8 * i)) & 0xff;
      if (b) {
        cmd |= 0x10 << i;
        op.push(b);
      }
    }
    out.push(cmd, ...op);
    offset += n;
    size -= n;
  }
}

/**
 * The delta from `base` to `target` (same length) where only the 20 bytes at
 * each of `offsets` may differ.
 */
export function idDelta(base: Buffer, target: Buffer, offsets: Iterable<number>): Buffer {
  if (base.length !== target.length) throw new Error("a tree delta needs trees of one length");
  const out = [...sizeBytes(base.length), ...sizeBytes(target.length)];
  let at = 0;
  for (const o of [...new Set(offsets)].sort((a, b) => a - b)) {
    if (o < at || o + 20 > target.length) throw new Error("overlapping or out-of-range id offsets");
    copyOps(out, at, o - at);
    out.push(20, ...target.subarray(o, o + 20));
    at = o + 20;
  }
  copyOps(out, at, target.length - at);
  return Buffer.from(out);
}
