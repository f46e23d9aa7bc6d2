import { randomBytes } from "node:crypto";
import { promises as fs, constants as fsc } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import type { GitObject } from "./objects.js";

/**
 * Writes loose objects the way git does: compressed to a temporary file in the
 * object's fan-out folder, then renamed to its final name, so a kill -9 leaves
 * at worst a `tmp_obj_*` file (ignored by fsck, removed by gc), never a
 * half-written object. Objects are written before the ref moves.
 */
export async function writeLooseObjects(gitDir: string, objects: readonly GitObject[], opts: { fsync: boolean }): Promise<void> {
  for (const obj of objects) {
    const dir = path.join(gitDir, "objects", obj.id.slice(0, 2));
    const final = path.join(dir, obj.id.slice(2));
    try {
      await fs.access(final, fsc.F_OK);
      continue; // content-addressed: already there
    } catch {
      /* write it */
    }
    await fs.mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `tmp_obj_${randomBytes(6).toString("hex")}`);
    const data = deflateSync(Buffer.concat([Buffer.from(`${obj.type} ${obj.body.length}\0`), obj.body]), { level: 1 });
    const fh = await fs.open(tmp, "wx", 0o444);
    try {
      await fh.writeFile(data);
      if (opts.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, final);
  }
}
