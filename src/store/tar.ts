/**
 * The small part of the POSIX ustar format a state backup needs: regular
 * files and directories, names up to 255 bytes (prefix + name). Stock `tar`
 * lists and extracts what this writes; the reader accepts only what it writes.
 */
export const BLOCK = 512;

export interface TarEntry {
  readonly name: string;
  readonly size: number;
  /** "file" or "directory"; anything else in a header is refused by the reader. */
  readonly type: "file" | "directory";
  readonly mode: number;
  readonly mtime: number;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** Splits a path into ustar's `prefix` (≤155) and `name` (≤100) at a slash. */
export function splitTarName(full: string): { prefix: string; name: string } {
  if (Buffer.byteLength(full) <= 100) return { prefix: "", name: full };
  for (let i = full.indexOf("/"); i >= 0; i = full.indexOf("/", i + 1)) {
    const prefix = full.slice(0, i);
    const name = full.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== "") return { prefix, name };
  }
  throw new Error(`path too long for a tar entry: ${full.slice(0, 80)}...`);
}

export function tarHeader(e: TarEntry): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { prefix, name } = splitTarName(e.name);
  h.write(name, 0, 100, "utf8");
  h.write(octal(e.mode & 0o7777, 8), 100, 8, "ascii");
  h.write(octal(0, 8), 108, 8, "ascii");
  h.write(octal(0, 8), 116, 8, "ascii");
  h.write(octal(e.type === "file" ? e.size : 0, 12), 124, 12, "ascii");
  h.write(octal(Math.max(0, Math.floor(e.mtime)), 12), 136, 12, "ascii");
  h.write("        ", 148, 8, "ascii");
  h.write(e.type === "file" ? "0" : "5", 156, 1, "ascii");
  h.write("ustar\0", 257, 6, "ascii");
  h.write("00", 263, 2, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return h;
}

/** Zero bytes that fill a file's data up to the next block. */
export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

const field = (h: Buffer, at: number, len: number) => {
  const raw = h.subarray(at, at + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString("utf8");
};

/** One header block: the entry, `null` for a zero block (the end), or an error naming what is wrong. */
export function parseTarHeader(h: Buffer): TarEntry | null {
  if (h.length !== BLOCK) throw new Error("truncated tar header");
  if (h.every((b) => b === 0)) return null;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  const stored = Number.parseInt(field(h, 148, 8).trim(), 8);
  if (stored !== sum) throw new Error("a tar header's checksum does not match: the file is damaged or not a tar archive");
  if (!field(h, 257, 6).startsWith("ustar")) throw new Error("not a ustar archive");
  const flag = String.fromCharCode(h[156]!);
  if (flag !== "0" && flag !== "\0" && flag !== "5") throw new Error(`tar entry type ${JSON.stringify(flag)} is not a regular file or directory`);
  const prefix = field(h, 345, 155);
  const name = field(h, 0, 100);
  const size = Number.parseInt(field(h, 124, 12).trim() || "0", 8);
  if (!Number.isSafeInteger(size) || size < 0) throw new Error("a tar header has an invalid size");
  return {
    name: prefix ? `${prefix}/${name}` : name,
    size: flag === "5" ? 0 : size,
    type: flag === "5" ? "directory" : "file",
    mode: Number.parseInt(field(h, 100, 8).trim() || "0", 8),
    mtime: Number.parseInt(field(h, 136, 12).trim() || "0", 8),
  };
}
