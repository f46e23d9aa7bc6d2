import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { readJsonFile, writeFileAtomic } from "./atomic-file.js";

/**
 * The secret index (SPEC §6 stable ciphertext): keyed-hash → ciphertext, one
 * file per device. Its key lives beside it, created once with mode 0600; the
 * index holds no plaintext and no unkeyed hash.
 */
export class SecretIndexStore {
  private key: Buffer | null = null;
  /**
   * Recently used indexes, so an unchanged snapshot costs no file read. Only
   * this process writes a device's index while it holds the device lock; a
   * stale entry could at worst re-seal a value (one extra commit), never lose one.
   */
  private readonly cache = new Map<string, Record<string, string>>();
  constructor(private readonly stateDir: string, private readonly cacheSize = 4096) {}

  private remember(k: string, index: Record<string, string>): void {
    this.cache.delete(k);
    this.cache.set(k, index);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  async indexKey(): Promise<Buffer> {
    if (this.key) return this.key;
    const file = path.join(this.stateDir, "secret-index.key");
    try {
      const k = await fs.readFile(file);
      if (k.length !== 32) throw new Error(`${file} must hold 32 bytes; remove it to start a new index (secrets are then re-sealed once)`);
      this.key = k;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      await fs.mkdir(this.stateDir, { recursive: true, mode: 0o700 });
      try {
        await fs.writeFile(file, randomBytes(32), { flag: "wx", mode: 0o600 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      this.key = await fs.readFile(file);
    }
    return this.key;
  }

  private file(tenant: string, device: string): string {
    return path.join(this.stateDir, "secrets", tenant, `${device}.json`);
  }

  async get(tenant: string, device: string): Promise<Record<string, string>> {
    const k = `${tenant}/${device}`;
    const hit = this.cache.get(k);
    if (hit) return hit;
    const index = (await readJsonFile<Record<string, string>>(this.file(tenant, device))) ?? {};
    this.remember(k, index);
    return index;
  }

  async put(tenant: string, device: string, index: Record<string, string>): Promise<void> {
    await writeFileAtomic(this.file(tenant, device), JSON.stringify(index));
    this.remember(`${tenant}/${device}`, index);
  }
}
