import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";

/** A 32-byte key file, created once (mode 0600) when missing. */
export async function readOrCreateKeyFile(file: string): Promise<Buffer> {
  try {
    return await readKeyFile(file);
  } catch (err) {
    if ((err as { data?: { missing?: boolean } }).data?.missing !== true) throw err;
  }
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await fs.writeFile(file, randomBytes(32), { flag: "wx", mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  return readKeyFile(file);
}

/** A 32-byte key file that must exist; the error says what to do. */
export async function readKeyFile(file: string): Promise<Buffer> {
  let k: Buffer;
  try {
    k = await fs.readFile(file);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    throw new RosarchiveError("bad_parameter", missing ? `key file ${file} does not exist` : `cannot read key file ${file}: ${(err as Error).message}`, { missing });
  }
  if (k.length !== 32) throw new RosarchiveError("bad_parameter", `key file ${file} must hold exactly 32 bytes`);
  return k;
}
