import { RosarchiveError } from "../common/index.js";
import { GitPipe } from "./git.js";

export interface ReadObject {
  readonly id: string;
  readonly type: string;
  readonly body: Buffer;
}

/** Reads waiting in the first process before the spare one takes some. */
const BURST = 2;
/** An idle repository's readers end (a tenant read once a day holds no process); the next read starts one again. */
const IDLE_MS = 10 * 60_000;
const SPARE_IDLE_MS = 30_000;

/**
 * Reads objects of one repository through a long-lived `git cat-file
 * --batch` (one spawn serves every read), so any object git can read (loose,
 * packed, from a clone restored into data_dir) is readable here.
 */
export class ObjectReader {
  private readonly pipe: GitPipe;
  /**
   * A second process for bursts (a history page reads about a hundred
   * objects at once): git reads objects one at a time, and two share the
   * work across cores (51 blobs of a cold page: about 7 ms in one, 4 ms in
   * two). It ends after a while without a burst.
   */
  private readonly spare: GitPipe;

  constructor(gitDir: string) {
    this.pipe = new GitPipe(gitDir, ["cat-file", "--batch"], { idleMs: IDLE_MS });
    this.spare = new GitPipe(gitDir, ["cat-file", "--batch"], { idleMs: SPARE_IDLE_MS });
  }

  /** The object id `rev` names, or null. */
  async resolve(rev: string): Promise<string | null> {
    const obj = await this.read(rev);
    return obj ? obj.id : null;
  }

  /** Any object by revision (`<commit>:<path>` too), or null when there is none. */
  read(rev: string): Promise<ReadObject | null> {
    if (/[\n\r]/.test(rev)) return Promise.reject(new RosarchiveError("bad_parameter", "revision contains a line break"));
    if (this.pipe.pending < BURST || this.spare.pending >= this.pipe.pending) return this.pipe.request(`${rev}\n`, parseBatchObject);
    // The spare only saves time: when it cannot run (a process limit), the first one answers.
    return this.spare.request(`${rev}\n`, parseBatchObject).catch(() => this.pipe.request(`${rev}\n`, parseBatchObject));
  }

  close(): void {
    this.pipe.close();
    this.spare.close();
  }
}

/** `cat-file --batch` answer: `<id> <type> <size>\n<body>\n` or `<rev> missing\n`. */
export function parseBatchObject(buf: Buffer): { value: ReadObject | null; used: number } | { need: number } | null {
  const nl = buf.indexOf(10);
  if (nl < 0) return null;
  const header = buf.toString("utf8", 0, nl);
  if (header.endsWith(" missing") || header.endsWith(" ambiguous")) return { value: null, used: nl + 1 };
  const [id, type, sizeText] = header.split(" ");
  const size = Number(sizeText);
  if (buf.length < nl + 1 + size + 1) return { need: nl + 1 + size + 1 };
  return { value: { id: id!, type: type!, body: Buffer.from(buf.subarray(nl + 1, nl + 1 + size)) }, used: nl + 1 + size + 1 };
}
