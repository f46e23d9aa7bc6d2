import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";

/**
 * temp file + fsync + rename + directory fsync: after a crash a reader sees
 * the old content or the new one, never a torn file.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600, opts: { sync?: boolean } = {}): Promise<void> {
  const sync = opts.sync ?? true;
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await fs.open(tmp, "wx", mode);
  try {
    await fh.writeFile(data);
    if (sync) await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
  if (!sync) return; // still never torn (rename), but may be lost on power loss: for hints only
  const dh = await fs.open(dir, "r");
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** Parsed JSON file, or null when it does not exist. A corrupt file is an error naming it. */
export async function readJsonFile<T>(file: string): Promise<T | null> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`state file ${file} is not valid JSON; move it aside to reset that state`);
  }
}
