import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";
import { buildBatch, splitPath, type PackObject, type TreeState } from "./batch-builder.js";
import type { CommitFacts } from "./commit-message.js";
import { describeChange, type Description } from "./describe.js";
import { runGit } from "./git.js";
import { GroupCommit } from "./group-commit.js";
import { StatsStore, STATS_FILE, type CommitStats } from "./history-stats.js";
import { maintainRepository, shouldMaintain } from "./maintenance.js";
import { CommitPatches } from "./commit-patches.js";
import { ObjectReader, type ReadObject } from "./object-reader.js";
import { decodeTree, encodeCommit, encodeTree, makeObject, type TreeEntry } from "./objects.js";
import { writePackFiles } from "./pack-files.js";
import { PackThread } from "./pack-thread.js";
import { PathIndex, PATH_INDEX_FILE } from "./path-index.js";
import { RECENT_CONTENTS_BYTES, RecentContents } from "./recent-contents.js";
import { repositoryReadme } from "./readme-text.js";
import { compareAndSwapRef, readRef, RefRaceError, STALE_LOCK_MS } from "./ref-lock.js";
import { ensureLaterSettings } from "./repo-settings.js";

/** Budget of the diffs kept per repository. */
const DIFF_CACHE_BYTES = 2 * 2 ** 20;
/** Commits per pack and ref move, at most. */
const MAX_BATCH = 256;
const MAIN = "refs/heads/main";
const IDENT = { name: "rosarchive", email: "rosarchive@localhost" };

export interface CommitRequest {
  /** File path inside the repository, e.g. `fra/core-1.rsc` (validated ids only). */
  readonly path: string;
  /** The new content, or null to remove the file from main (a retired device). */
  readonly content: Buffer | null;
  /** Author time (collection time), unix seconds. */
  readonly authorTime: number;
  /** Trailers of the commit; `subject` names the change instead of the summary. */
  readonly facts: CommitFacts & { readonly subject?: string };
  /**
   * Commit only over this blob at `path` (null: the file absent), because the
   * change was decided against it (a re-seal); otherwise the request fails
   * with `conflict` and nothing is committed for it.
   */
  readonly ifBlob?: string | null;
}

export interface CommitOutcome {
  readonly changed: boolean;
  /** The new commit, or the newest commit of the file when unchanged (null if the file was never archived). */
  readonly commit: string | null;
  /** That commit's parent. */
  readonly parent: string | null;
  /** The blob now at the path (null after a removal). */
  readonly blob: string | null;
  /** What the new commit changed; null when nothing was committed. */
  readonly stats: CommitStats | null;
}

export interface TenantRepoOptions {
  /** Menu path of a line: the summary counts changed lines by section. */
  readonly sectionOf: (line: string) => string | null;
  /** fsync objects before the ref moves (power-loss safety). */
  readonly fsync?: boolean;
  /** Epoch milliseconds: committer times. */
  readonly clock: () => number;
  /** Shared by the repositories of a registry; a repository opened alone makes its own. */
  readonly packs?: PackThread;
  readonly recent?: RecentContents;
  /** Structured notes of the repository's caches (history index loaded, rebuilt and why). */
  readonly onNotice?: (event: string, facts: Record<string, unknown>) => void;
}

/** Work done for a request before it joins the write queue, against the tip published then. */
interface Prepared {
  readonly req: CommitRequest;
  readonly blob: PackObject | null;
  /** The blob at `path` on the tip the description was built against. */
  readonly base: string | null;
  readonly description: Description | null;
}

/**
 * One tenant's bare repository and its single writer. Objects are hashed
 * in-process and written as one pack per batch on the pack thread; `main`
 * moves only through git's ref lock with the old value checked (ref-lock.ts),
 * so a concurrent writer in another process is detected and the batch is
 * rebuilt on the new tip instead of losing either one. Reads go through
 * `reader`; `paths` and `stats` are this repository's caches of git.
 */
export class TenantRepo {
  readonly reader: ObjectReader;
  /** Which commits touched which file (history pages). */
  readonly paths: PathIndex;
  /** What each commit changed, recorded at commit time (history pages). */
  readonly stats: StatsStore;
  /** Unified diffs served lately, by `<from>:<to>:<path>`: two commits never change, so neither does their diff. */
  readonly diffs = new RecentContents(DIFF_CACHE_BYTES);
  /** The patch each commit made, from one long-lived git (diffs without a process start each). */
  readonly patches: CommitPatches;
  private head: string | null = null;
  private root: Map<string, TreeEntry> = new Map();
  private readonly subtrees = new Map<string, Map<string, TreeEntry>>();
  /** Newest commit touching each path, and that commit's parent. */
  private readonly lastCommitOf = new Map<string, { commit: string; parent: string | null } | null>();
  private readonly writes: GroupCommit<Prepared, CommitOutcome>;
  private readonly packs: PackThread;
  private readonly ownsPacks: boolean;
  private readonly recent: RecentContents;
  /** The background maintenance running now, if any. */
  private maintaining: Promise<void> | null = null;
  private packsSinceMaintenance = 0;

  private constructor(readonly tenant: string, readonly gitDir: string, private readonly opts: TenantRepoOptions) {
    this.reader = new ObjectReader(gitDir);
    this.patches = new CommitPatches(gitDir);
    const onNotice = opts.onNotice;
    this.paths = new PathIndex(
      { gitDir, mainTip: () => this.resolve(MAIN) },
      { file: path.join(gitDir, PATH_INDEX_FILE), ...(onNotice && { onNotice: (event, facts) => onNotice(event, { tenant, ...facts }) }) },
    );
    this.stats = new StatsStore(path.join(gitDir, STATS_FILE));
    this.packs = opts.packs ?? new PackThread();
    this.ownsPacks = opts.packs === undefined;
    this.recent = opts.recent ?? new RecentContents(RECENT_CONTENTS_BYTES);
    this.writes = new GroupCommit((batch) => this.commitBatch(batch), MAX_BATCH);
  }

  /** Opens `<dataDir>/<tenant>.git`, creating it (complete, with its first commit) when missing. */
  static async open(dataDir: string, tenant: string, opts: TenantRepoOptions): Promise<TenantRepo> {
    const gitDir = path.join(dataDir, `${tenant}.git`);
    await ensureBareRepo(gitDir, tenant, { fsync: opts.fsync ?? true, time: Math.floor(opts.clock() / 1000) });
    const repo = new TenantRepo(tenant, gitDir, opts);
    await repo.reload();
    if (repo.head === null) {
      // A repository made by an older release, or by hand, without a first commit.
      await repo.initialCommit();
      await repo.reload();
    }
    return repo;
  }

  private now(): number {
    return Math.max(0, Math.floor(this.opts.clock() / 1000));
  }

  private async initialCommit(): Promise<void> {
    const objects = firstCommitObjects(this.tenant, this.now());
    await this.packs.writePack(this.gitDir, objects, { fsync: this.opts.fsync ?? true });
    try {
      await this.moveMain(objects[objects.length - 1]!.id, null, 1);
    } catch {
      // another process initialized it first: take theirs
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
    const commit = await this.reader.read(head);
    const treeId = commit!.body.toString("latin1", 5, 45);
    this.root = decodeTree((await this.reader.read(treeId))!.body);
  }

  resolve(rev: string): Promise<string | null> {
    return this.reader.resolve(rev);
  }

  /** A blob's bytes by id: from the blobs written last when it is one of them, else from git; null when there is none. */
  async readBlob(id: string): Promise<Buffer | null> {
    const recent = this.recent.get(id);
    if (recent) return recent;
    const o = await this.readObject(id);
    return o?.type === "blob" ? o.body : null;
  }

  /** Reads any object through the long-lived `cat-file --batch`. */
  readObject(rev: string): Promise<ReadObject | null> {
    return this.reader.read(rev);
  }

  get tip(): string | null {
    return this.head;
  }

  private async subtree(group: string): Promise<Map<string, TreeEntry>> {
    let t = this.subtrees.get(group);
    if (!t) {
      const entry = this.root.get(group);
      t = entry && entry.mode === "40000" ? decodeTree((await this.reader.read(entry.id))!.body) : new Map();
      this.subtrees.set(group, t);
    }
    return t;
  }

  /** Blob id of `path` at `main`, or null. */
  async blobAt(filePath: string): Promise<string | null> {
    const [dir, name] = splitPath(filePath);
    const tree = dir ? await this.subtree(dir) : this.root;
    const e = tree.get(name);
    return e && e.mode !== "40000" ? e.id : null;
  }

  /** Every file path at `main`: the root's files and each group folder's (retirement compares them with the devices in force). */
  async filesAtMain(): Promise<string[]> {
    const out: string[] = [];
    for (const [name, e] of this.root) {
      if (e.mode !== "40000") out.push(name);
      else for (const sub of (await this.subtree(name)).keys()) out.push(`${name}/${sub}`);
    }
    return out;
  }

  /** Newest commit on `main` touching `path`, with its parent (cached; from the history index, once per path per process). */
  async lastCommitFor(filePath: string): Promise<{ commit: string; parent: string | null } | null> {
    if (this.lastCommitOf.has(filePath)) return this.lastCommitOf.get(filePath)!;
    if (this.head === null) return null;
    const commit = await this.paths.latest(filePath);
    let found: { commit: string; parent: string | null } | null = null;
    if (commit) {
      const obj = await this.reader.read(commit);
      const head = obj?.type === "commit" ? obj.body.toString("utf8").split("\n\n", 1)[0]! : "";
      found = { commit, parent: /^parent ([0-9a-f]{40})$/m.exec(head)?.[1] ?? null };
    }
    this.lastCommitOf.set(filePath, found);
    return found;
  }

  /**
   * Commits `content` at `path` unless the archived blob is identical (or,
   * for a removal, unless the file is already absent). Requests that arrive
   * while a write is in progress are taken together as one batch: one commit
   * each, but one pack and one ref move for all (group commit). Two
   * snapshots of one device must not be in flight at once: callers hold the
   * device's lock (`DeviceLocks`), which keeps their order.
   */
  async commitFile(req: CommitRequest): Promise<CommitOutcome> {
    return this.writes.submit(await this.prepare(req));
  }

  /**
   * Outside the write queue, so it runs while other batches are written:
   * hash the blob and, when it differs from the published one, start its
   * deflate on the pack thread and describe the change against the published
   * previous content (the diff behind the summary is the costly part).
   */
  private async prepare(req: CommitRequest): Promise<Prepared> {
    const blob = req.content === null ? null : makeObject("blob", req.content);
    const base = await this.blobAt(req.path).catch(() => null);
    if (base === (blob?.id ?? null)) return { req, blob, base, description: null };
    const withDeflate = blob && req.content ? { ...blob, deflated: this.packs.deflateAhead(req.content) } : null;
    const previous = base === null ? null : (this.recent.get(base) ?? (await this.reader.read(base).catch(() => null))?.body);
    if (previous === undefined) return { req, blob: withDeflate, base: null, description: null };
    return { req, blob: withDeflate, base, description: await this.describe(previous, req) };
  }

  private describe(previous: Buffer | null, req: CommitRequest): Promise<Description> {
    return describeChange(previous?.toString("utf8") ?? null, req.content?.toString("utf8") ?? null, req.facts, this.opts.sectionOf);
  }

  private async commitBatch(batch: readonly Prepared[]): Promise<Array<CommitOutcome | Error>> {
    const started = this.opts.clock();
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.writeBatch(batch);
      } catch (err) {
        if (!(err instanceof RefRaceError)) throw err;
        // A lock left by a killed writer turns stale (and is taken over) after STALE_LOCK_MS: wait that out.
        const waitedOut = err.lockHeld ? this.opts.clock() - started > 2 * STALE_LOCK_MS || attempt >= 400 : attempt >= 50;
        if (waitedOut) throw err;
        // Another process moved main or holds its lock: back off a little, then rebuild on its tip.
        await new Promise((r) => setTimeout(r, err.lockHeld ? 50 + Math.random() * 100 : Math.random() * 10 * Math.min(attempt + 1, 5)));
        await this.reload();
      }
    }
  }

  /**
   * Against the published tip: decides per request whether it changes its
   * file (describing it again if the file moved since it was prepared),
   * builds one commit per change, writes one pack, moves main, publishes.
   */
  private async writeBatch(batch: readonly Prepared[]): Promise<Array<CommitOutcome | Error>> {
    const outcomes: Array<CommitOutcome | Error | null> = [];
    const changes: Array<{ at: number; path: string; blob: PackObject | null; message: string; authorTime: number; stats: CommitStats }> = [];
    const subtrees = new Map<string, Map<string, TreeEntry>>();
    for (const p of batch) {
      try {
        const [dir] = splitPath(p.req.path);
        if (dir && !subtrees.has(dir)) subtrees.set(dir, await this.subtree(dir));
        const current = await this.blobAt(p.req.path);
        if (p.req.ifBlob !== undefined && current !== p.req.ifBlob) {
          throw new RosarchiveError("conflict", `${p.req.path} changed while this commit was prepared; nothing committed`);
        }
        if (current === (p.blob?.id ?? null)) {
          const last = await this.lastCommitFor(p.req.path);
          outcomes.push({ changed: false, commit: last?.commit ?? null, parent: last?.parent ?? null, blob: current, stats: null });
          continue;
        }
        let description = p.base === current ? p.description : null;
        if (description === null) {
          // The file changed since the request was prepared (or preparing could not read it): describe again.
          const previous = current === null ? null : (this.recent.get(current) ?? (await this.reader.read(current))?.body ?? null);
          if (current !== null && previous === null) throw new RosarchiveError("error", `archived blob ${current} of ${p.req.path} cannot be read`);
          description = await this.describe(previous, p.req);
        }
        changes.push({ at: outcomes.length, path: p.req.path, blob: p.blob, message: description.message, authorTime: p.req.authorTime, stats: description.stats });
        outcomes.push(null);
      } catch (err) {
        outcomes.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    if (changes.length > 0) {
      const base: TreeState = { head: this.head, root: this.root, subtrees };
      const built = buildBatch(base, changes, { ...IDENT, time: this.now() });
      await this.packs.writePack(this.gitDir, built.objects, { fsync: this.opts.fsync ?? true });
      await this.moveMain(built.head!, this.head, changes.length);
      this.paths.record(this.head, changes.map((c, k) => ({ commit: built.commits[k]!.commit, changes: [{ path: c.path, blob: c.blob?.id ?? null }] })));
      this.packsSinceMaintenance += 1;
      this.head = built.head;
      this.root = built.root;
      for (const [dir, t] of built.subtrees) this.subtrees.set(dir, t);
      changes.forEach((c, k) => {
        const made = built.commits[k]!;
        if (c.blob) this.recent.set(c.blob.id, c.blob.body);
        this.lastCommitOf.set(c.path, made);
        this.stats.put(made.commit, c.path, c.stats);
        outcomes[c.at] = { changed: true, commit: made.commit, parent: made.parent, blob: c.blob?.id ?? null, stats: c.stats };
      });
      this.afterWrite();
    }
    return outcomes as Array<CommitOutcome | Error>;
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

  /** Resolves when no write or background maintenance runs (before closing: no git process outlives the service). */
  async whenIdle(): Promise<void> {
    await this.writes.whenIdle();
    await this.maintaining;
  }

  /** Runs maintenance now, after any running in the background (tests, benchmarks, `serve` at start). */
  async maintain(): Promise<void> {
    await this.maintaining;
    await maintainRepository(this.gitDir);
    this.packsSinceMaintenance = 0;
  }

  /** Atomic compare-and-swap of `main` through git's own lock-and-rename (ref-lock.ts). */
  private moveMain(next: string, expected: string | null, commits: number): Promise<void> {
    return compareAndSwapRef(this.gitDir, MAIN, next, expected, { ...IDENT, time: this.now(), message: commits === 1 ? "rosarchive: 1 commit" : `rosarchive: ${commits} commits` });
  }

  close(): void {
    this.paths.stop();
    this.reader.close();
    this.patches.close();
    if (this.ownsPacks) this.packs.close();
  }
}

/** The README blob, the root tree and the first commit of a new tenant repository. */
function firstCommitObjects(tenant: string, time: number): PackObject[] {
  const readme = makeObject("blob", Buffer.from(repositoryReadme(tenant)));
  const root = new Map<string, TreeEntry>([["README.md", { mode: "100644", id: readme.id }]]);
  const tree = makeObject("tree", encodeTree(root));
  const commit = makeObject(
    "commit",
    encodeCommit({ tree: tree.id, parents: [], author: { ...IDENT, time }, committer: { ...IDENT, time }, message: `rosarchive: initialize repository for ${tenant}\n` }),
  );
  return [readme, tree, commit];
}

/** Settings every tenant repository carries. */
export const REPOSITORY_SETTINGS: ReadonlyArray<readonly [string, string]> = [
  ["core.logAllRefUpdates", "true"], // a reflog on main: who moved it when
  ["gc.auto", "0"], // maintenance runs on our schedule, never inline in a commit
  ["receive.denyNonFastForwards", "true"],
  ["receive.denyDeletes", "true"],
  ["http.receivepack", "false"], // read-only over HTTP
  ["uploadpack.allowFilter", "true"],
  // `--filter=sparse:oid=` makes upload-pack parse and walk a client-chosen sparse spec: CPU and memory for anyone with a viewer token.
  ["uploadpackfilter.sparse:oid.allow", "false"],
  ["core.commitGraph", "true"],
  ["commitGraph.readChangedPaths", "true"],
];

/**
 * `git init --bare` with the settings every tenant repository needs and its
 * first commit (the README), all under a temporary name, renamed into place
 * last: a repository appears in data_dir only complete, so a kill -9 at any
 * moment never leaves one whose main is unborn. Idempotent.
 */
export async function ensureBareRepo(gitDir: string, tenant: string, opts: { fsync: boolean; time: number }): Promise<void> {
  let exists = true;
  try {
    await fs.access(path.join(gitDir, "HEAD"));
  } catch {
    exists = false;
  }
  if (exists) {
    await ensureLaterSettings(gitDir);
    return;
  }
  await fs.mkdir(path.dirname(gitDir), { recursive: true });
  const tmp = `${gitDir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await runGit({ gitDir: tmp, args: ["init", "--quiet", "--bare", "--initial-branch=main"] });
    for (const [k, v] of REPOSITORY_SETTINGS) await runGit({ gitDir: tmp, args: ["config", k, v] });
    const objects = firstCommitObjects(tenant, opts.time);
    await writePackFiles(tmp, objects.map((o) => ({ type: o.type, id: o.id, size: o.body.length, body: o.body, deflated: false })), { fsync: opts.fsync });
    await compareAndSwapRef(tmp, MAIN, objects[objects.length - 1]!.id, null, { ...IDENT, time: opts.time, message: "rosarchive: 1 commit" });
    if ((await readRef(tmp, MAIN)) === null) throw new RosarchiveError("error", `could not create the first commit of ${gitDir}`);
    await fs.rename(tmp, gitDir);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    // Another process won the race: theirs is complete too.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST") throw err;
  }
}
