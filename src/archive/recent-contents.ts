/**
 * Contents of the blobs written last, by id, within a byte budget shared by
 * every tenant of the process: the next snapshot of a device is diffed
 * against the one written before it, usually still here, instead of reading
 * it back through `cat-file`. A blob id names its bytes, so an entry can
 * only answer for the very content asked.
 */
export class RecentContents {
  private readonly map = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly budget: number) {}

  get(id: string): Buffer | undefined {
    return this.map.get(id);
  }

  set(id: string, body: Buffer): void {
    if (body.length > this.budget / 8 || this.map.has(id)) return;
    this.map.set(id, body);
    this.bytes += body.length;
    for (const [old, b] of this.map) {
      if (this.bytes <= this.budget) break;
      this.map.delete(old);
      this.bytes -= b.length;
    }
  }
}

/** One per registry: 16 MiB holds the last version of 800 typical 20 KB exports. */
export const RECENT_CONTENTS_BYTES = 16 * 2 ** 20;
