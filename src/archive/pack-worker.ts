import { parentPort } from "node:worker_threads";
import { deflateSync } from "node:zlib";
import { PACK_ZLIB, writePackFiles, type PackEntry } from "./pack-files.js";
import type { PackReply, PackRequest } from "./pack-thread.js";

/**
 * The pack thread: deflates blobs as soon as they are sealed, and writes a
 * batch's pack when the batch is built. Its event loop does nothing else, so
 * file callbacks never wait behind sealing on the main thread.
 */
parentPort!.on("message", async (job: PackRequest) => {
  let reply: PackReply;
  try {
    const data = Buffer.from(job.data);
    if (job.kind === "deflate") {
      const out = deflateSync(data, PACK_ZLIB);
      const own = new Uint8Array(out.length); // its own ArrayBuffer, moved back without a copy
      own.set(out);
      reply = { seq: job.seq, error: null, data: own.buffer };
    } else {
      const objects: PackEntry[] = job.objects.map(([type, id, size, deflated, start, end, base]) => ({ type, id, size, deflated, body: data.subarray(start, end), base }));
      await writePackFiles(job.gitDir, objects, { fsync: job.fsync });
      reply = { seq: job.seq, error: null, data: null };
    }
  } catch (err) {
    reply = { seq: job.seq, error: err instanceof Error ? err.message : String(err), data: null };
  }
  parentPort!.postMessage(reply, reply.data ? [reply.data] : []);
});
