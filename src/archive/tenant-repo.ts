import { promises as fs } from "node:fs";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";
import { GitPipe, readLines, runGit } from "./git.js";
import { writeLooseObjects } from "./loose-store.js";
import { decodeTree, encodeCommit, encodeTree, makeObject, type GitObject, type TreeEntry } from "./objects.js";
import { repositoryReadme } from "./readme-text.js";

const ZERO = "0000000000000000000000000000000000000000";
const MAIN = "refs/heads/main";
const IDENT = { name: "rosarchive", email: "rosarchive@localhost" };

export interface CommitRequest {
  /** File path inside the repository, e.g. `fra/core-1.rsc` (validated ids only). */
  readonly path: string;
  readonly content: Buffer;
  /** Builds the message from the previous content (null for the first snapshot); runs under the write lock. */
  readonly message: (previous: Buffer | null) => string;
  /** Author time (collection time), unix seconds. */
  readonly authorTime: number;
}

export interface CommitOutcome {
  readonly changed: boolean;
  /** The new commit, or the newest commit of the file when unchanged (null if the file was never archived). */
  readonly commit: string | null;
  readonly parent: string | null;
  readonly blob: string;
}

export interface TenantRepoOptions {
  /** fsync objects before the ref moves (power-loss safety). */
  readonly fsync?: boolean;
  readonly clock?: () => number;
}

/**
 * One tenant's bare repository and its single writer. Objects are hashed and
 * written in-process; `main` moves only through `git update-ref` with the old
 * value named, so a concurrent writer in another process is detected and the
 * commit is rebuilt on the new tip instead of losing either one.
 */
export class TenantRepo {
  private readonly catFile: GitPipe;
  private readonly refs: GitPipe;
  private head: string | null = null;
  private root: Map<string, TreeEntry> | null = null;
  private readonly subtrees = new Map<string, Map<string, TreeEntry>>();
  private readonly lastCommitOf = new Map<string, string | null>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly tenant: string, readonly gitDir: string, private readonly opts: TenantRepoOptions) {
    this.catFile = new GitPipe(gitDir, ["cat-file", "--batch"]);
    this.refs = new GitPipe(gitDir, ["update-ref", "--stdin"]);
  }

  /** Opens `<dataDir>/<tenant>.git`, creating and initializing it when missing. */
  static async open(dataDir: string, tenant: string, opts: TenantRepoOptions = {}): Promise<TenantRepo> {
    const gitDir = path.join(dataDir, `${tenant}.git`);
    await ensureBareRepo(gitDir);
    const repo = new TenantRepo(tenant, gitDir, opts);
    await repo.serialize(() => repo.initialize());
    return repo;
  }

  /** Runs `fn` after every earlier write of this repository finished. */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private now(): number {
    return Math.floor((this.opts.clock?.() ?? Date.now()) / 1000);
  }

  private async initialize(): Promise<void> {
    await this.reload();
    if (this.head === null) {
      const readme = makeObject("blob", Buffer.from(repositoryReadme(this.tenant)));
      const root = new Map<string, TreeEntry>([["README.md", { mode: "100644", id: readme.id }]]);
      const tree = makeObject("tree", encodeTree(root));
      const t = this.now();
      const commit = makeObject(
        "commit",
        encodeCommit({ tree: tree.id, parents: [], author: { ...IDENT, time: t }, committer: { ...IDENT, time: t }, message: `rosarchive: initialize repository for ${this.tenant}\n` }),
      );
      await writeLooseObjects(this.gitDir, [readme, tree, commit], { fsync: this.opts.fsync ?? true });
      try {
        await this.moveMain(commit.id, null);
      } catch {
        // another process initialized it first: take theirs
      }
      await this.reload();
    }
  }

  /** Re-reads `main` and its root tree from git (at open, and after losing a ref race). */
  private async reload(): Promise<void> {
    const head = await this.resolve(MAIN);
    this.head = head;
    this.subtrees.clear();
    this.lastCommitOf.clear();
    if (head === null) {
      this.root = new Map();
      return;
    }
    const commit = await this.readObject(head);
    const treeId = commit!.body.toString("latin1", 5, 45);
    this.root = decodeTree((await this.readObject(treeId))!.body);
  }

  async resolve(rev: string): Promise<string | null> {
    const obj = await this.catFile.request(`${rev}\n`, parseBatchHeader);
    return obj ? obj.id : null;
  }

  /** Reads any object through the long-lived `cat-file --batch`. */
  async readObject(rev: string): Promise<{ id: string; type: string; body: Buffer } | null> {
    if (/[\n\r]/.test(rev)) throw new RosarchiveError("bad_parameter", "revision contains a line break");
    return this.catFile.request(`${rev}\n`, parseBatchObject);
  }

  private async subtree(group: string): Promise<Map<string, TreeEntry>> {
    let t = this.subtrees.get(group);
    if (!t) {
      const entry = this.root!.get(group);
      t = entry && entry.mode === "40000" ? decodeTree((await this.readObject(entry.id))!.body) : new Map();
      this.subtrees.set(group, t);
    }
    return t;
  }

  /** Blob id of `path` at `main`, or null. */
  async blobAt(filePath: string): Promise<string | null> {
    const [dir, name] = splitPath(filePath);
    const tree = dir ? await this.subtree(dir) : this.root!;
    const e = tree.get(name);
    return e && e.mode !== "40000" ? e.id : null;
  }

  /** Newest commit on `main` touching `path` (cached; git log once per path per process). */
  async lastCommitFor(filePath: string): Promise<string | null> {
    if (this.lastCommitOf.has(filePath)) return this.lastCommitOf.get(filePath)!;
    if (this.head === null) return null;
    const r = await runGit({ gitDir: this.gitDir, args: ["log", "-1", "--format=%H"], revs: [this.head], paths: [filePath] });
    const id = r.stdout.toString("utf8").trim() || null;
    this.lastCommitOf.set(filePath, id);
    return id;
  }

  get tip(): string | null {
    return this.head;
  }

  /** Commits `content` at `path` unless the archived blob is identical. Serialized per repository. */
  commitFile(req: CommitRequest): Promise<CommitOutcome> {
    return this.serialize(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.commitOnce(req);
        } catch (err) {
          if (!(err instanceof RefRaceError) || attempt >= 50) throw err;
          // Another process moved main: back off a little, then rebuild on the new tip.
          await new Promise((r) => setTimeout(r, Math.random() * 10 * Math.min(attempt + 1, 5)));
          await this.reload();
        }
      }
    });
  }

  private async commitOnce(req: CommitRequest): Promise<CommitOutcome> {
    const blob = makeObject("blob", req.content);
    const [dir, name] = splitPath(req.path);
    const oldBlob = await this.blobAt(req.path);
    if (oldBlob === blob.id) {
      return { changed: false, commit: await this.lastCommitFor(req.path), parent: null, blob: blob.id };
    }
    const previous = oldBlob ? (await this.readObject(oldBlob))!.body : null;
    const message = req.message(previous);
    const objects: GitObject[] = [blob];
    const newRoot = new Map(this.root!);
    let newSub: Map<string, TreeEntry> | null = null;
    if (dir) {
      newSub = new Map(await this.subtree(dir));
      newSub.set(name, { mode: "100644", id: blob.id });
      const sub = makeObject("tree", encodeTree(newSub));
      objects.push(sub);
      newRoot.set(dir, { mode: "40000", id: sub.id });
    } else {
      newRoot.set(name, { mode: "100644", id: blob.id });
    }
    const tree = makeObject("tree", encodeTree(newRoot));
    objects.push(tree);
    const parent = this.head;
    const commit = makeObject(
      "commit",
      encodeCommit({
        tree: tree.id,
        parents: parent ? [parent] : [],
        author: { ...IDENT, time: req.authorTime },
        committer: { ...IDENT, time: Math.max(this.now(), 0) },
        message,
      }),
    );
    objects.push(commit);
    await writeLooseObjects(this.gitDir, objects, { fsync: this.opts.fsync ?? true });
    await this.moveMain(commit.id, parent);
    this.head = commit.id;
    this.root = newRoot;
    if (dir && newSub) this.subtrees.set(dir, newSub);
    this.lastCommitOf.set(req.path, commit.id);
    return { changed: true, commit: commit.id, parent, blob: blob.id };
  }

  /** Atomic compare-and-swap of `main` through git's own lock-and-rename. */
  private async moveMain(next: string, expected: string | null): Promise<void> {
    try {
      await this.refs.request(`start\nupdate ${MAIN} ${next} ${expected ?? ZERO}\nprepare\ncommit\n`, (buf) => readLines(buf, 3));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/cannot lock ref|but expected|reference already exists|is at/.test(msg)) throw new RefRaceError(msg);
      throw err;
    }
  }

  close(): void {
    this.catFile.close();
    this.refs.close();
  }
}

class RefRaceError extends RosarchiveError {
  constructor(message: string) {
    super("conflict", message);
  }
}

function splitPath(p: string): [string | null, string] {
  const i = p.indexOf("/");
  return i < 0 ? [null, p] : [p.slice(0, i), p.slice(i + 1)];
}

function parseBatchHeader(buf: Buffer): { value: { id: string } | null; used: number } | null {
  const r = parseBatchObject(buf);
  return r ? { value: r.value ? { id: r.value.id } : null, used: r.used } : null;
}

/** `cat-file --batch` answer: `<id> <type> <size>\n<body>\n` or `<rev> missing\n`. */
function parseBatchObject(buf: Buffer): { value: { id: string; type: string; body: Buffer } | null; used: number } | null {
  const nl = buf.indexOf(10);
  if (nl < 0) return null;
  const header = buf.toString("utf8", 0, nl);
  if (header.endsWith(" missing") || header.endsWith(" ambiguous")) return { value: null, used: nl + 1 };
  const [id, type, sizeText] = header.split(" ");
  const size = Number(sizeText);
  if (buf.length < nl + 1 + size + 1) return null;
  return { value: { id: id!, type: type!, body: Buffer.from(buf.subarray(nl + 1, nl + 1 + size)) }, used: nl + 1 + size + 1 };
}

/** `git init --bare` with the settings every tenant repository needs. Idempotent. */
export async function ensureBareRepo(gitDir: string): Promise<void> {
  try {
    await fs.access(path.join(gitDir, "HEAD"));
    return;
  } catch {
    /* create */
  }
  await fs.mkdir(path.dirname(gitDir), { recursive: true });
  await runGit({ gitDir, args: ["init", "--quiet", "--bare", "--initial-branch=main"] });
  const settings: Array<[string, string]> = [
    ["core.logAllRefUpdates", "true"], // a reflog on main: who moved it when
    ["gc.auto", "0"], // maintenance runs on our schedule, never inline in a commit
    ["receive.denyNonFastForwards", "true"],
    ["receive.denyDeletes", "true"],
    ["http.receivepack", "false"], // read-only over HTTP
    ["uploadpack.allowFilter", "true"],
    ["core.commitGraph", "true"],
    ["commitGraph.readChangedPaths", "true"],
  ];
  for (const [k, v] of settings) await runGit({ gitDir, args: ["config", k, v] });
}
