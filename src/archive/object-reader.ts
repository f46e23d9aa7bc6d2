import { RosarchiveError } from "../common/index.js";
import { GitPipe } from "./git.js";

export interface ReadObject {
  readonly id: string;
  readonly type: string;
  readonly body: Buffer;
}

/**
 * Reads objects of one repository through a long-lived `git cat-file
 * --batch` (one spawn serves every read), so any object git can read (loose,
 * packed, from a clone restored into data_dir) is readable here.
 */
export class ObjectReader {
  private readonly pipe: GitPipe;

  constructor(gitDir: string) {
    this.pipe = new GitPipe(gitDir, ["cat-file", "--batch"]);
  }

  /** The object id `rev` names, or null. */
  async resolve(rev: string): Promise<string | null> {
    const obj = await this.read(rev);
    return obj ? obj.id : null;
  }

  /** Any object by revision (`<commit>:<path>` too), or null when there is none. */
  read(rev: string): Promise<ReadObject | null> {
    if (/[\n\r]/.test(rev)) return Promise.reject(new RosarchiveError("bad_parameter", "revision contains a line break"));
    return this.pipe.request(`${rev}\n`, parseBatchObject);
  }

  close(): void {
    this.pipe.close();
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
