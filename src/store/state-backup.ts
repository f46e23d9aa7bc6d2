import { createHash, randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";
import { parseStateFormat, prepareStateDir, readStateFormat, STATE_FORMAT, tooNew, FORMAT_FILE } from "./state-format.js";
import { BLOCK, END_OF_ARCHIVE, padding, parseTarHeader, tarHeader } from "./tar.js";

/** Files read ahead of the one being written to the archive. */
const PREFETCH = 32;
/** Files up to this size are read whole when opened; larger ones (audit segments) are streamed. */
const WHOLE_BYTES = 1024 * 1024;

interface OpenedFile {
  readonly size: number;
  readonly mtimeMs: number;
  /** The bytes to copy, for a small file; else `handle` to stream them from. */
  readonly data?: Buffer;
  readonly handle?: import("node:fs/promises").FileHandle;
}

/**
 * Opens one state file and fixes what is copied of it: the whole (one
 * descriptor, so a file replaced by rename meanwhile is still one version),
 * or an append-only log up to its last newline. Null when it is gone.
 */
async function openStateFile(stateDir: string, rel: string): Promise<OpenedFile | null> {
  let fh: import("node:fs/promises").FileHandle;
  try {
    fh = await fs.open(path.join(stateDir, rel), "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const st = await fh.stat();
    const size = await copyLength(fh, st.size, isAppendOnly(rel));
    if (size > WHOLE_BYTES) return { size, mtimeMs: st.mtimeMs, handle: fh };
    const data = Buffer.alloc(size);
    for (let at = 0; at < size; ) {
      const { bytesRead } = await fh.read(data, at, size - at, at);
      if (bytesRead === 0) throw new RosarchiveError("error", `${rel} shrank while it was read; run the backup again`);
      at += bytesRead;
    }
    await fh.close();
    return { size, mtimeMs: st.mtimeMs, data };
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

/** Every state file sits under this folder in the archive; `tar -xf` makes one folder. */
export const BACKUP_ROOT = "rosarchive-state";
/** The last entry: format, time, and the size and sha256 of every file, checked whole before a restore writes anything in place. */
export const MANIFEST_NAME = "rosarchive-state.json";

export interface StateManifest {
  readonly format: number;
  readonly created: string;
  readonly rosarchive: string;
  readonly files: Readonly<Record<string, { readonly size: number; readonly sha256: string }>>;
}

export interface BackupSummary {
  readonly format: number;
  readonly files: number;
  readonly bytes: number;
}

/** A byte sink with backpressure (stdout, a file stream). */
export interface ByteSink {
  write(chunk: Buffer): boolean;
  once(event: "drain", fn: () => void): unknown;
}

async function put(out: ByteSink, chunk: Buffer): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", resolve));
}

/** Gathers the many small pieces of a state tar (headers, small files, padding) into writes of about 1 MiB. */
class Chunker {
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly out: ByteSink) {}
  async push(b: Buffer): Promise<void> {
    this.parts.push(b);
    this.size += b.length;
    if (this.size >= 1024 * 1024) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.size === 0) return;
    const all = Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    await put(this.out, all);
  }
}

/** Temp files of atomic writes (`.<name>.<rand>.tmp`) and other dot files are not state. */
const isStateName = (name: string) => !name.startsWith(".") && !name.endsWith(".tmp");
/** Files only ever appended to (audit logs): copied up to their last whole line. */
const isAppendOnly = (name: string) => name.endsWith(".jsonl");
/** What a restore accepts as one path segment: the names state files and folders have. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._@+-]{0,254}$/;

/** Files under `dir`, relative, in a stable order: the secret-index key first (the index is useless without it). */
async function listStateFiles(stateDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await fs.readdir(path.join(stateDir, rel), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT" && rel !== "") return; // removed while we walk
      throw err;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!isStateName(e.name)) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile() && child !== FORMAT_FILE) out.push(child);
    }
  };
  await walk("");
  const key = out.indexOf("secret-index.key");
  if (key > 0) out.unshift(...out.splice(key, 1));
  return out;
}

/** The byte count to copy: the whole file, or an append-only file up to its last newline. */
async function copyLength(fh: import("node:fs/promises").FileHandle, size: number, appendOnly: boolean): Promise<number> {
  if (!appendOnly || size === 0) return size;
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await fh.read(chunk, 0, end - start, start);
    const i = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (i >= 0) return start + i + 1;
    end = start;
  }
  return 0;
}

/**
 * Writes a tar of `stateDir` to `out` while a service may be running: every
 * file is read through one open descriptor (state files are replaced by
 * rename, so each copy is one whole version, never a torn one), append-only
 * logs stop at their last whole line, files that disappear meanwhile (a
 * delivered webhook) are left out. The manifest closes the archive.
 */
export async function writeStateBackup(stateDir: string, sink: ByteSink, opts: { now: () => number; version: string; onFile?: (rel: string, bytes: number) => void }): Promise<BackupSummary> {
  const found = await readStateFormat(stateDir);
  if (found === null) throw new RosarchiveError("not_found", `state_dir ${stateDir} is empty or missing: nothing to back up`);
  if (found > STATE_FORMAT) throw tooNew(found, stateDir);
  const mtime = opts.now() / 1000;
  const out = new Chunker(sink);
  const files: Record<string, { size: number; sha256: string }> = {};
  let bytes = 0;
  const formatText = Buffer.from(`${found}\n`);
  await out.push(tarHeader({ name: `${BACKUP_ROOT}/`, size: 0, type: "directory", mode: 0o700, mtime }));
  await out.push(tarHeader({ name: `${BACKUP_ROOT}/${FORMAT_FILE}`, size: formatText.length, type: "file", mode: 0o600, mtime }));
  await out.push(Buffer.concat([formatText, padding(formatText.length)]));
  files[FORMAT_FILE] = { size: formatText.length, sha256: createHash("sha256").update(formatText).digest("hex") };

  // Small files (nearly all) are read whole, a window of them at once; the archive keeps the listed order.
  const list = await listStateFiles(stateDir);
  const pending = new Map<number, Promise<OpenedFile | null>>();
  const ahead = (i: number) => {
    if (i < list.length && !pending.has(i)) pending.set(i, openStateFile(stateDir, list[i]!));
  };
  for (let i = 0; i < Math.min(PREFETCH, list.length); i++) ahead(i);
  for (let i = 0; i < list.length; i++) {
    const rel = list[i]!;
    const opened = await pending.get(i)!;
    pending.delete(i);
    ahead(i + PREFETCH);
    if (!opened) continue; // removed while we walk (a webhook just delivered)
    const { size, mtimeMs } = opened;
    await out.push(tarHeader({ name: `${BACKUP_ROOT}/${rel}`, size, type: "file", mode: 0o600, mtime: mtimeMs / 1000 }));
    const hash = createHash("sha256");
    if (opened.data) {
      hash.update(opened.data);
      await out.push(opened.data);
    } else {
      const fh = opened.handle!;
      try {
        const chunk = Buffer.alloc(64 * 1024);
        for (let at = 0; at < size; ) {
          const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, size - at), at);
          if (bytesRead === 0) throw new RosarchiveError("error", `${rel} shrank while it was read; run the backup again`);
          const piece = Buffer.from(chunk.subarray(0, bytesRead)); // a copy: the chunker keeps it until its next write
          hash.update(piece);
          await out.push(piece);
          at += bytesRead;
        }
      } finally {
        await fh.close();
      }
    }
    await out.push(padding(size));
    files[rel] = { size, sha256: hash.digest("hex") };
    bytes += size;
    opts.onFile?.(rel, size);
  }
  const manifest: StateManifest = { format: found, created: new Date(opts.now()).toISOString(), rosarchive: opts.version, files };
  const body = Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`);
  await out.push(tarHeader({ name: MANIFEST_NAME, size: body.length, type: "file", mode: 0o600, mtime }));
  await out.push(Buffer.concat([body, padding(body.length), END_OF_ARCHIVE]));
  await out.flush();
  return { format: found, files: Object.keys(files).length, bytes };
}

/** Exact-size reads over a byte stream. */
class ByteReader {
  private buffered: Buffer[] = [];
  private size = 0;
  private done = false;
  constructor(private readonly source: AsyncIterator<Buffer | string>) {}

  async read(n: number): Promise<Buffer | null> {
    while (this.size < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else {
        const b = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
        this.buffered.push(b);
        this.size += b.length;
      }
    }
    if (this.size < n) return this.size === 0 ? null : Promise.reject(new RosarchiveError("bad_parameter", "the state backup ends in the middle of an entry: it is truncated"));
    const all = this.buffered.length === 1 ? this.buffered[0]! : Buffer.concat(this.buffered);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.buffered = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    return out;
  }
}

const bad = (why: string) => new RosarchiveError("bad_parameter", `not a usable state backup: ${why}; nothing was restored`);

/** `rosarchive-state/devices/acme/core-1.json` → `devices/acme/core-1.json`, or an error for anything that could leave the folder. */
function stateRelative(name: string): string {
  if (!name.startsWith(`${BACKUP_ROOT}/`)) throw bad(`entry ${JSON.stringify(name.slice(0, 120))} is outside ${BACKUP_ROOT}/`);
  const rel = name.slice(BACKUP_ROOT.length + 1).replace(/\/$/, "");
  if (rel === "") return "";
  const parts = rel.split("/");
  if (!parts.every((p) => SEGMENT.test(p) && p !== "." && p !== ".." && !p.includes(".."))) throw bad(`entry ${JSON.stringify(name.slice(0, 120))} has an unsafe path`);
  return rel;
}

/** File writes in flight, at most `limit`; the first failure is thrown by the next add or idle. */
class Writes {
  private readonly running = new Set<Promise<void>>();
  private failure: unknown = null;
  constructor(private readonly limit: number) {}
  async add(p: Promise<void>): Promise<void> {
    const tracked = p.then(
      () => undefined,
      (err) => {
        this.failure ??= err;
      },
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
    if (this.running.size >= this.limit) await Promise.race(this.running);
    if (this.failure) throw this.failure;
  }
  async idle(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure) throw this.failure;
  }
}

/** fsync of every file, then every folder, under `root`, 32 at a time. */
async function syncTree(root: string): Promise<void> {
  const files: string[] = [];
  const dirs: string[] = [root];
  for (let i = 0; i < dirs.length; i++) {
    for (const e of await fs.readdir(dirs[i]!, { withFileTypes: true })) {
      const p = path.join(dirs[i]!, e.name);
      if (e.isDirectory()) dirs.push(p);
      else files.push(p);
    }
  }
  const syncAll = async (paths: string[]) => {
    let next = 0;
    const worker = async () => {
      while (next < paths.length) {
        const fh = await fs.open(paths[next++]!, "r");
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(32, paths.length) }, worker));
  };
  await syncAll(files);
  await syncAll(dirs.reverse());
}

async function isEmptyOrAbsent(dir: string): Promise<boolean> {
  try {
    return (await fs.readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw err;
  }
}

/**
 * Restores a tar made by `writeStateBackup` into `stateDir`, which must be
 * empty or absent (a running service's state is never overwritten). The
 * archive is unpacked beside it, every file checked against the manifest,
 * and only then renamed into place; any problem leaves nothing behind. A
 * backup of an older format is migrated; a newer one is refused.
 */
export async function restoreStateBackup(stateDir: string, input: AsyncIterable<Buffer | string>): Promise<BackupSummary> {
  const target = path.resolve(stateDir);
  if (!(await isEmptyOrAbsent(target))) {
    throw new RosarchiveError("conflict", `state_dir ${target} is not empty: stop the service and move it aside first (mv ${target} ${target}.old); restore writes only into an empty or absent state_dir`);
  }
  const parent = path.dirname(target);
  await fs.mkdir(parent, { recursive: true });
  const temp = path.join(parent, `.${path.basename(target)}.restore-${randomBytes(6).toString("hex")}`);
  await fs.mkdir(temp, { mode: 0o700 });
  const writes = new Writes(16);
  try {
    const { seen, manifest, format } = await unpack(new ByteReader(input[Symbol.asyncIterator]()), temp, writes);
    await writes.idle();
    checkManifest(manifest, format, seen);
    await moveIntoPlace(temp, target);
    await prepareStateDir(target);
    let bytes = 0;
    for (const s of seen.values()) bytes += s.size;
    return { format, files: seen.size, bytes };
  } catch (err) {
    await writes.idle().catch(() => undefined);
    await fs.rm(temp, { recursive: true, force: true });
    throw err;
  }
}

/** Size and SHA-256 of each file unpacked, by its path in the state folder. */
type Unpacked = Map<string, { size: number; sha256: string }>;

/**
 * Every entry of the tar into `temp` (files may still be being written when it
 * returns: `writes.idle()`), with what the manifest and the FORMAT file say.
 * Stops at the end-of-archive block; nothing may follow the manifest.
 */
async function unpack(reader: ByteReader, temp: string, writes: Writes): Promise<{ seen: Unpacked; manifest: StateManifest | null; format: number | null }> {
  const seen: Unpacked = new Map();
  const made = new Set<string>();
  let manifest: StateManifest | null = null;
  let format: number | null = null;
  for (;;) {
    const entry = await nextEntry(reader);
    if (entry === null) break;
    if (manifest) throw bad("entries follow the manifest");
    if (entry.name === MANIFEST_NAME) {
      manifest = await readManifest(reader, entry.size);
      continue;
    }
    const rel = stateRelative(entry.name);
    if (entry.type === "directory") {
      if (rel) await fs.mkdir(path.join(temp, rel), { recursive: true, mode: 0o700 });
      continue;
    }
    if (rel === "") throw bad("a file entry names the folder itself");
    if (seen.has(rel)) throw bad(`${rel} appears twice`);
    const file = path.join(temp, rel);
    if (!made.has(path.dirname(file))) {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      made.add(path.dirname(file));
    }
    seen.set(rel, await unpackFile(reader, file, entry.size, writes));
    // The format is known as soon as its file is in: a newer backup is refused before the rest is unpacked.
    if (rel === FORMAT_FILE) format = await readFormat(file, writes);
  }
  return { seen, manifest, format };
}

/** The next tar header, or null at the end-of-archive block. */
async function nextEntry(reader: ByteReader): Promise<ReturnType<typeof parseTarHeader>> {
  const block = await reader.read(BLOCK);
  if (block === null) throw bad("it ends without its manifest (truncated?)");
  try {
    return parseTarHeader(block);
  } catch (err) {
    throw bad((err as Error).message);
  }
}

async function readManifest(reader: ByteReader, size: number): Promise<StateManifest> {
  if (size > 256 * 1024 * 1024) throw bad("the manifest is too large");
  const body = (await reader.read(size)) ?? Buffer.alloc(0);
  await reader.read(padding(size).length);
  try {
    return JSON.parse(body.toString("utf8")) as StateManifest;
  } catch {
    throw bad("the manifest is not JSON");
  }
}

/** One file entry of `size` bytes written to `file` (new, mode 0600); its size and SHA-256 as read. */
async function unpackFile(reader: ByteReader, file: string, size: number, writes: Writes): Promise<{ size: number; sha256: string }> {
  const hash = createHash("sha256");
  if (size <= WHOLE_BYTES) {
    // Small files (nearly all) are written several at once: creating a file is the slow part.
    const data = size === 0 ? Buffer.alloc(0) : await reader.read(size);
    if (data === null) throw bad("it is truncated");
    hash.update(data);
    await writes.add(fs.writeFile(file, data, { flag: "wx", mode: 0o600 }));
  } else {
    const fh = await fs.open(file, "wx", 0o600);
    try {
      for (let left = size; left > 0; ) {
        const piece = await reader.read(Math.min(left, 64 * 1024));
        if (piece === null) throw bad("it is truncated");
        hash.update(piece);
        await fh.write(piece);
        left -= piece.length;
      }
    } finally {
      await fh.close();
    }
  }
  await reader.read(padding(size).length);
  return { size, sha256: hash.digest("hex") };
}

/** The backup's state format, from its FORMAT file just unpacked to `file`; newer than this version reads is refused. */
async function readFormat(file: string, writes: Writes): Promise<number> {
  let format: number;
  try {
    await writes.idle();
    format = parseStateFormat(await fs.readFile(file, "utf8"), `the backup's ${FORMAT_FILE}`);
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (format > STATE_FORMAT) throw tooNew(format, "this state backup");
  return format;
}

/** The manifest must be there, agree with FORMAT, and list exactly the files unpacked, each with its size and hash. */
function checkManifest(manifest: StateManifest | null, format: number | null, seen: Unpacked): asserts format is number {
  if (!manifest || typeof manifest !== "object" || typeof manifest.files !== "object" || manifest.files === null) throw bad("it has no manifest");
  if (format === null) throw bad(`it has no ${FORMAT_FILE}`);
  if (manifest.format !== format) throw bad("its manifest and FORMAT disagree");
  const listed = Object.entries(manifest.files);
  if (listed.length !== seen.size) throw bad(`the manifest lists ${listed.length} files, the archive holds ${seen.size}`);
  for (const [rel, want] of listed) {
    const got = seen.get(rel);
    if (!got || got.size !== want.size || got.sha256 !== want.sha256) throw bad(`${rel} does not match the manifest (damaged or edited)`);
  }
}

/** The complete copy in `temp` takes the (empty or absent) `target`'s name, durably. */
async function moveIntoPlace(temp: string, target: string): Promise<void> {
  // Durable before it takes the state_dir's name: every file and folder fsynced (many at once; one by one costs a disk flush each).
  await syncTree(temp);
  // In place: the (empty) target goes, the complete copy takes its name.
  await fs.rmdir(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "ENOENT") throw err;
  });
  await fs.rename(temp, target);
  const dh = await fs.open(path.dirname(target), "r");
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
