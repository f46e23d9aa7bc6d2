import { promises as fs } from "node:fs";
import path from "node:path";

/**
 * The audit log's files: `state_dir/audit/<tenant>/<NNNNNN>.jsonl`, numbered
 * from 000001, the chain carried from the last line of one segment to the
 * first of the next. Reading is bounded: the tail is read backwards in chunks
 * and verification streams, so no size of log is ever read whole.
 */
const SEGMENT = /^(\d{6,12})\.jsonl$/;
const CHUNK = 64 * 1024;

export function segmentFile(dir: string, n: number): string {
  return path.join(dir, `${String(n).padStart(6, "0")}.jsonl`);
}

/** Segment numbers present in `dir`, ascending ([] when the folder does not exist). */
export async function listSegments(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names
    .map((n) => SEGMENT.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/**
 * Moves the single-file log of earlier versions (`audit/<tenant>.jsonl`) into
 * place as segment 1, unchanged, so its chain simply continues. Returns true
 * when it moved one. Callers hold the tenant's audit lock.
 */
export async function migrateSingleFileLog(root: string, tenant: string): Promise<boolean> {
  const legacy = path.join(root, `${tenant}.jsonl`);
  const dir = path.join(root, tenant);
  try {
    await fs.access(legacy);
  } catch {
    return false;
  }
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  if ((await listSegments(dir)).length > 0) return false; // already segmented: the old file is left for the operator
  await fs.rename(legacy, segmentFile(dir, 1));
  await syncDir(dir);
  await syncDir(root);
  return true;
}

export async function syncDir(dir: string): Promise<void> {
  const dh = await fs.open(dir, "r");
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

export async function fileSize(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
}

/**
 * Where the complete lines of `file` end: the offset after its last newline
 * (0 when it has none within `maxLine` bytes of the end). Bytes past it are a
 * torn last line, left by a crash in the middle of a write.
 */
export async function completeLength(file: string, maxLine: number): Promise<number> {
  const fh = await openIfExists(file);
  if (!fh) return 0;
  try {
    const size = (await fh.stat()).size;
    let pos = size;
    const buf = Buffer.alloc(CHUNK);
    while (pos > 0 && size - pos <= maxLine) {
      const n = Math.min(CHUNK, pos);
      pos -= n;
      await readFully(fh, buf, n, pos);
      const i = buf.subarray(0, n).lastIndexOf(10);
      if (i >= 0) return pos + i + 1;
    }
    return 0;
  } finally {
    await fh.close();
  }
}

/** A line longer than the reader's limit: reading stops there (a damaged or hostile file). */
export const LINE_TOO_LONG = Symbol("line too long");

/**
 * The complete lines of `file[0, end)` from the last to the first, read
 * backwards in 64 KiB chunks. A line longer than `maxLine` yields
 * LINE_TOO_LONG and ends the walk, so memory stays bounded whatever the file.
 */
export async function* linesBackward(file: string, end: number, maxLine: number): AsyncGenerator<string | typeof LINE_TOO_LONG> {
  if (end <= 0) return;
  const fh = await openIfExists(file);
  if (!fh) return;
  try {
    let pos = end;
    // Bytes of the line being assembled (they end with its newline), first byte unknown yet.
    let carry: Buffer = Buffer.alloc(0);
    while (pos > 0) {
      const n = Math.min(CHUNK, pos);
      pos -= n;
      const chunk = Buffer.alloc(n);
      await readFully(fh, chunk, n, pos);
      const buf = carry.length ? Buffer.concat([chunk, carry]) : chunk;
      // buf ends with a newline: cut lines off its end while a newline precedes them.
      let stop = buf.length;
      for (;;) {
        if (stop < 2) break;
        const i = buf.lastIndexOf(10, stop - 2);
        if (i < 0) break;
        yield buf.toString("utf8", i + 1, stop - 1);
        stop = i + 1;
      }
      carry = Buffer.from(buf.subarray(0, stop));
      if (carry.length > maxLine + 1) {
        yield LINE_TOO_LONG;
        return;
      }
    }
    if (carry.length > 0) yield carry.toString("utf8", 0, carry.length - 1);
  } finally {
    await fh.close();
  }
}

/**
 * The lines of `file` from the first, streamed. The last piece, when the file
 * does not end with a newline, is yielded with `torn: true`. A line longer
 * than `maxLine` yields LINE_TOO_LONG and ends the walk.
 */
export async function* linesForward(file: string, maxLine: number): AsyncGenerator<{ line: string; torn: boolean } | typeof LINE_TOO_LONG> {
  const fh = await openIfExists(file);
  if (!fh) return;
  try {
    let pos = 0;
    let carry: Buffer = Buffer.alloc(0);
    const chunk = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, CHUNK, pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let start = 0;
      for (;;) {
        const i = buf.indexOf(10, start);
        if (i < 0) break;
        if (i - start > maxLine) {
          yield LINE_TOO_LONG;
          return;
        }
        yield { line: buf.toString("utf8", start, i), torn: false };
        start = i + 1;
      }
      carry = Buffer.from(buf.subarray(start));
      if (carry.length > maxLine) {
        yield LINE_TOO_LONG;
        return;
      }
    }
    if (carry.length > 0) yield { line: carry.toString("utf8"), torn: true };
  } finally {
    await fh.close();
  }
}

async function openIfExists(file: string): Promise<fs.FileHandle | null> {
  try {
    return await fs.open(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

async function readFully(fh: fs.FileHandle, buf: Buffer, n: number, pos: number): Promise<void> {
  let got = 0;
  while (got < n) {
    const { bytesRead } = await fh.read(buf, got, n - got, pos + got);
    if (bytesRead === 0) throw new Error("audit segment shrank while being read");
    got += bytesRead;
  }
}
