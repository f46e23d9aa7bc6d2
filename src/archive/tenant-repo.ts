import { promises as fs } from "node:fs";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";
import { GitPipe, runGit } from "./git.js";
import { maintainRepository, shouldMaintain } from "./maintenance.js";
import { deflateAhead, writePack, type PackObject } from "./pack-writer.js";
import { recentContents } from "./recent-contents.js";
import { compareAndSwapRef, RefRaceError } from "./ref-lock.js";
import { decodeTree, encodeCommit, encodeTree, makeObject, type TreeEntry } from "./objects.js";
import { repositoryReadme } from "./readme-text.js";

/** Commits per pack and ref move, at most. */
const MAX_BATCH = 256;
/**
 * Work done for a request before it joins the write queue, against the tip
 * published then. The writer uses it when the file did not change since
 * (nearly always), and redoes it otherwise.
 */
interface Prepared {
  readonly blob: PackObject;
  /** The blob at `path` on the tip the message was built against. */
  readonly base: string | null;
  readonly message: string | null;
}

/** A batch's commits, built on the published tip and not yet written. */
interface Built {
  readonly outcomes: Array<CommitOutcome | Error>;
  readonly objects: PackObject[];
  readonly head: string | null;
  readonly root: Map<string, TreeEntry>;
  readonly subs: Map<string, Map<string, TreeEntry>>;
  readonly lastOf: Map<string, { commit: string; parent: string | null }>;
  readonly commits: number;
}

interface PendingCommit {
  readonly req: CommitRequest;
  readonly prepared: Prepared;
  resolve(o: CommitOutcome): void;
  reject(e: unknown): void;
}
const MAIN = "refs/heads/main";
const IDENT = { name: "rosarchive", email: "rosarchive@localhost" };

export interface CommitRequest {
  /** File path inside the repository, e.g. `fra/core-1.rsc` (validated ids only). */
  readonly path: string;
  readonly content: Buffer;
  /**
   * Builds the message from the previous content (null for the first snapshot).
   * It is called before the request is queued, and again under the write lock
   * if the file changed in between: the message committed is the last one built.
   */
  readonly message: (previous: Buffer | null) => string;
  /** Author time (collection time), unix seconds. */
  readonly authorTime: number;
}

export interface CommitOutcome {
  readonly changed: boolean;
  /** The new commit, or the newest commit of the file when unchanged (null if the file was never archived). */
  readonly commit: string | null;
  /** That commit's parent. */
  readonly parent: string | null;
  readonly blob: string;
}

export interface TenantRepoOptions {
  /** fsync objects before the ref moves (power-loss safety). */
  readonly fsync?: boolean;
  readonly clock?: () => number;
}

/**
 * One tenant's bare repository and its single writer. Objects are hashed
 * in-process and written as one pack per batch on the pack thread; `main`
 * moves only through git's ref lock with the old value checked (ref-lock.ts),
 * so a concurrent writer in another process is detected and the batch is
 * rebuilt on the new tip instead of losing either one.
 */
export class TenantRepo {
  private readonly catFile: GitPipe;
  private head: string | null = null;
  private root: Map<string, TreeEntry> | null = null;
  private readonly subtrees = new Map<string, Map<string, TreeEntry>>();
  /** Newest commit touching each path, and that commit's parent. */
  private readonly lastCommitOf = new Map<string, { commit: string; parent: string | null } | null>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending: PendingCommit[] = [];
  private draining = false;
  /** The background maintenance running now, if any. */
  private maintaining: Promise<void> | null = null;
  private packsSinceMaintenance = 0;

  private constructor(readonly tenant: string, readonly gitDir: string, private readonly opts: TenantRepoOptions) {
    this.catFile = new GitPipe(gitDir, ["cat-file", "--batch"]);
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
      await writePack(this.gitDir, [readme, tree, commit], { fsync: this.opts.fsync ?? true });
      try {
        this.moveMain(commit.id, null, 1);
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

  /** Newest commit on `main` touching `path`, with its parent (cached; git log once per path per process). */
  async lastCommitFor(filePath: string): Promise<{ commit: string; parent: string | null } | null> {
    if (this.lastCommitOf.has(filePath)) return this.lastCommitOf.get(filePath)!;
    if (this.head === null) return null;
    const r = await runGit({ gitDir: this.gitDir, args: ["log", "-1", "--format=%H %P"], revs: [this.head], paths: [filePath] });
    const [commit, parent] = r.stdout.toString("utf8").trim().split(" ");
    const found = commit ? { commit, parent: parent || null } : null;
    this.lastCommitOf.set(filePath, found);
    return found;
  }

  get tip(): string | null {
    return this.head;
  }

  /**
   * Commits `content` at `path` unless the archived blob is identical.
   * Requests that arrive while a write is in progress are taken together as
   * one batch: one commit each, in the order their preparation ended, but
   * one pack and one ref move for all of them (group commit). Serialized per
   * repository. Two snapshots of one device must not be in flight at once:
   * callers hold the device's lock (`DeviceLocks`), which keeps their order.
   */
  async commitFile(req: CommitRequest): Promise<CommitOutcome> {
    const prepared = await this.prepare(req);
    return new Promise((resolve, reject) => {
      this.pending.push({ req, prepared, resolve, reject });
      this.kick();
    });
  }

  /**
   * Outside the write queue, so it runs while other batches are written:
   * hash the blob, and when it differs from the published one, start its
   * deflate on the pack thread and build the message from the published
   * previous content (the diff behind the summary is the costly part).
   */
  private async prepare(req: CommitRequest): Promise<Prepared> {
    const blob = makeObject("blob", req.content);
    const base = await this.blobAt(req.path).catch(() => null);
    if (base === blob.id) return { blob, base, message: null };
    const deflated = deflateAhead(req.content);
    const previous = base === null ? null : (recentContents.get(base) ?? (await this.readObject(base).catch(() => null))?.body ?? undefined);
    if (previous === undefined) return { blob: { ...blob, deflated }, base: null, message: null };
    return { blob: { ...blob, deflated }, base, message: req.message(previous) };
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    void this.serialize(() => this.drain()).finally(() => {
      this.draining = false;
      if (this.pending.length > 0) this.kick();
    });
  }

  /** Group commit: everything that arrived while the last batch was written becomes the next batch. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) await this.commitBatch(this.pending.splice(0, MAX_BATCH));
  }

  private async commitBatch(batch: PendingCommit[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const built = await this.build(batch);
        await this.persist(built);
        batch.forEach((p, i) => {
          const o = built.outcomes[i]!;
          if (o instanceof Error) p.reject(o);
          else p.resolve(o);
        });
        this.afterWrite();
        return;
      } catch (err) {
        if (err instanceof RefRaceError && attempt < 50) {
          // Another process moved main: back off a little, then rebuild on its tip.
          await new Promise((r) => setTimeout(r, Math.random() * 10 * Math.min(attempt + 1, 5)));
          await this.reload();
          continue;
        }
        for (const p of batch) p.reject(err);
        return;
      }
    }
  }

  /** Writes the batch's pack, moves main, then publishes the built trees as the writer's state. */
  private async persist(built: Built): Promise<void> {
    if (built.head === this.head) return; // nothing changed
    await writePack(this.gitDir, built.objects, { fsync: this.opts.fsync ?? true });
    this.moveMain(built.head!, this.head, built.commits);
    this.packsSinceMaintenance += 1;
    this.head = built.head;
    this.root = built.root;
    for (const [dir, t] of built.subs) this.subtrees.set(dir, t);
    for (const [p, c] of built.lastOf) this.lastCommitOf.set(p, c);
  }

  /**
   * Builds every commit of the batch on copies of the published trees: nothing
   * is published here. A message is rebuilt only when its file changed since
   * the request was prepared.
   */
  private async build(batch: readonly PendingCommit[]): Promise<Built> {
    const root = new Map(this.root!);
    const subs = new Map<string, Map<string, TreeEntry>>();
    const lastOf = new Map<string, { commit: string; parent: string | null }>();
    const written = new Map<string, Buffer>(); // blob id → body, for later requests of the same batch
    const objects: PackObject[] = [];
    let head = this.head;
    let commits = 0;
    const outcomes: Array<CommitOutcome | Error> = [];
    const subtreeOf = async (dir: string) => {
      let t = subs.get(dir);
      if (!t) subs.set(dir, (t = new Map(await this.subtree(dir))));
      return t;
    };
    for (const { req, prepared } of batch) {
      try {
        const { blob } = prepared;
        const [dir, name] = splitPath(req.path);
        const tree = dir ? await subtreeOf(dir) : root;
        const old = tree.get(name);
        const oldBlob = old && old.mode !== "40000" ? old.id : null;
        if (oldBlob === blob.id) {
          const last = lastOf.get(req.path) ?? (await this.lastCommitFor(req.path));
          outcomes.push({ changed: false, commit: last?.commit ?? null, parent: last?.parent ?? null, blob: blob.id });
          continue;
        }
        let message = prepared.base === oldBlob ? prepared.message : null;
        if (message === null) {
          // The file changed since the request was prepared (or preparing could not read it): diff again.
          let previous: Buffer | null = null;
          if (oldBlob) {
            previous = written.get(oldBlob) ?? (await this.readObject(oldBlob))?.body ?? null;
            if (!previous) throw new RosarchiveError("error", `archived blob ${oldBlob} of ${req.path} cannot be read`);
          }
          message = req.message(previous);
        }
        tree.set(name, { mode: "100644", id: blob.id });
        const made: PackObject[] = [blob];
        if (dir) {
          const sub = makeObject("tree", encodeTree(tree));
          made.push(sub);
          root.set(dir, { mode: "40000", id: sub.id });
        }
        const rootTree = makeObject("tree", encodeTree(root));
        made.push(rootTree);
        const commit = makeObject(
          "commit",
          encodeCommit({
            tree: rootTree.id,
            parents: head ? [head] : [],
            author: { ...IDENT, time: req.authorTime },
            committer: { ...IDENT, time: Math.max(this.now(), 0) },
            message,
          }),
        );
        made.push(commit);
        objects.push(...made);
        written.set(blob.id, req.content);
        recentContents.set(blob.id, req.content);
        outcomes.push({ changed: true, commit: commit.id, parent: head, blob: blob.id });
        lastOf.set(req.path, { commit: commit.id, parent: head });
        head = commit.id;
        commits++;
      } catch (err) {
        outcomes.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return { outcomes, objects, head, root, subs, lastOf, commits };
  }

  /** Decide-then-do maintenance, off the write path: a long repack never delays a commit. */
  private afterWrite(): void {
    if (this.maintaining || !shouldMaintain(this.packsSinceMaintenance)) return;
    this.packsSinceMaintenance = 0;
    this.maintaining = maintainRepository(this.gitDir)
      .catch(() => {
        /* next round retries; reads work on any number of packs */
      })
      .finally(() => (this.maintaining = null));
  }

  /** Resolves when no background maintenance runs (before closing: no git process outlives the service). */
  async whenIdle(): Promise<void> {
    await this.maintaining;
  }

  /** Runs maintenance now, after any running in the background (tests, benchmarks, `serve` at start). */
  async maintain(): Promise<void> {
    await this.maintaining;
    await maintainRepository(this.gitDir);
    this.packsSinceMaintenance = 0;
  }

  /** Atomic compare-and-swap of `main` through git's own lock-and-rename (ref-lock.ts). */
  private moveMain(next: string, expected: string | null, commits: number): void {
    compareAndSwapRef(this.gitDir, MAIN, next, expected, { ...IDENT, time: this.now(), message: commits === 1 ? "rosarchive: 1 commit" : `rosarchive: ${commits} commits` });
  }

  close(): void {
    this.catFile.close();
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

/**
 * `git init --bare` with the settings every tenant repository needs.
 * Idempotent and atomic: the repository is built under a temporary name and
 * renamed into place, so a kill -9 never leaves a half-configured one.
 */
export async function ensureBareRepo(gitDir: string): Promise<void> {
  try {
    await fs.access(path.join(gitDir, "HEAD"));
    return;
  } catch {
    /* create */
  }
  await fs.mkdir(path.dirname(gitDir), { recursive: true });
  const tmp = `${gitDir}.tmp-${process.pid}-${Date.now()}`;
  await runGit({ gitDir: tmp, args: ["init", "--quiet", "--bare", "--initial-branch=main"] });
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
  for (const [k, v] of settings) await runGit({ gitDir: tmp, args: ["config", k, v] });
  try {
    await fs.rename(tmp, gitDir);
  } catch (err) {
    // Another process won the race: theirs is complete too.
    await fs.rm(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw err;
  }
}
