import { Worker } from "node:worker_threads";
import type { PackObject } from "./batch-builder.js";
import type { ObjectType } from "./objects.js";

export type PackRequest =
  | { readonly kind: "deflate"; readonly seq: number; readonly data: ArrayBuffer }
  | {
      readonly kind: "pack";
      readonly seq: number;
      readonly gitDir: string;
      readonly fsync: boolean;
      /** All bodies in one moved buffer; each object is [type, id, raw size, deflated?, start, end, delta base id or null] in it. */
      readonly data: ArrayBuffer;
      readonly objects: ReadonlyArray<readonly [ObjectType, string, number, boolean, number, number, string | null]>;
    };

export interface PackReply {
  readonly seq: number;
  readonly error: string | null;
  readonly data: ArrayBuffer | null;
}

/** A copy of `parts` in one buffer with its own ArrayBuffer (never the shared pool), so it can be moved to the thread. */
function ownBuffer(parts: readonly Buffer[]): Buffer {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const p of parts) at += p.copy(out, at);
  return out;
}

/** How long the pack thread outlives its last piece of work. */
export const PACK_THREAD_IDLE_MS = 15_000;

/**
 * One thread that compresses and writes packs, shared by every repository of
 * a registry. On the main thread the same work cost a zlib handle and a
 * callback per object and a dozen file-system callbacks per batch, each
 * waiting behind the normalizing and sealing of other snapshots; here it
 * runs on another core, and a blob is deflated while later snapshots are
 * still being sealed, before its batch is even built.
 */
export class PackThread {
  private worker: Worker | null = null;
  private seq = 0;
  /** Ends the thread after a while without work: an idle small install does not keep a second heap. */
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly idleMs = PACK_THREAD_IDLE_MS) {}
  private readonly waiting = new Map<number, { resolve(data: ArrayBuffer | null): void; reject(e: Error): void }>();

  private start(): Worker {
    if (this.worker) return this.worker;
    // Its heap holds one batch at a time: small limits keep its share of RSS small.
    const worker = new Worker(new URL("./pack-worker.js", import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 256 } });
    worker.on("message", (r: PackReply) => {
      const w = this.waiting.get(r.seq);
      if (!w) return;
      this.waiting.delete(r.seq);
      if (r.error === null) w.resolve(r.data);
      else w.reject(new Error(r.error));
      // An idle thread must not keep the process alive, and ends after a while.
      if (this.waiting.size === 0) {
        worker.unref();
        this.idleTimer = setTimeout(() => this.close(), this.idleMs);
        this.idleTimer.unref();
      }
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const w of this.waiting.values()) w.reject(new Error(`pack thread failed: ${err.message}`));
      this.waiting.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`exit ${code}`)));
    this.worker = worker;
    return worker;
  }

  private request(job: PackRequest): Promise<ArrayBuffer | null> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.start();
    return new Promise((resolve, reject) => {
      this.waiting.set(job.seq, { resolve, reject });
      worker.ref();
      worker.postMessage(job, [job.data]);
    });
  }

  /** Deflates a blob body on the thread; null if that failed (the pack then deflates it itself). */
  deflateAhead(body: Buffer): Promise<Buffer | null> {
    const data = ownBuffer([body]);
    return this.request({ kind: "deflate", seq: ++this.seq, data: data.buffer as ArrayBuffer }).then(
      (out) => (out ? Buffer.from(out) : null),
      () => null,
    );
  }

  /** Writes `objects` as one pack (see writePackFiles for the file protocol). */
  async writePack(gitDir: string, objects: readonly PackObject[], opts: { fsync: boolean }): Promise<void> {
    if (objects.length === 0) return;
    const bodies = await Promise.all(objects.map((o) => o.deflated ?? null));
    const parts: Buffer[] = [];
    const table: Array<readonly [ObjectType, string, number, boolean, number, number, string | null]> = [];
    let at = 0;
    objects.forEach((o, i) => {
      // A tree with a delta goes as its delta (the thread deflates it): a few bytes instead of the whole tree.
      const deflated = o.delta ? null : (bodies[i] ?? null);
      const body = o.delta ? o.delta.data : (deflated ?? o.body);
      parts.push(body);
      table.push([o.type, o.id, o.body.length, deflated !== null, at, at + body.length, o.delta?.base ?? null]);
      at += body.length;
    });
    const data = ownBuffer(parts);
    try {
      await this.request({ kind: "pack", seq: ++this.seq, gitDir, fsync: opts.fsync, data: data.buffer as ArrayBuffer, objects: table });
    } catch (err) {
      throw new Error(`writing pack: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Ends the thread once nothing waits on it (a later request starts a new one). */
  close(): void {
    const worker = this.worker;
    if (!worker || this.waiting.size > 0) return;
    this.worker = null;
    void worker.terminate();
  }
}
