import { promises as fs } from "node:fs";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { runGit, streamGitChunks, type GitStream } from "./git.js";
import { decodePathIndex, encodePathIndex } from "./path-index-file.js";
import { PathList, type Version } from "./path-lists.js";

export { PATH_INDEX_FILE } from "./path-index-file.js";
export type { Version } from "./path-lists.js";

/** What the index needs of its repository. */
export interface PathIndexSource {
  readonly gitDir: string;
  /** The commit `main` points to now, or null. */
  mainTip(): Promise<string | null>;
}

export interface PathIndexOptions {
  /** Where the index is persisted; null keeps it in memory only. */
  readonly file?: string | null;
  /** Commits added since the last save before the file is written again (besides at close and when a build completes). */
  readonly saveEvery?: number;
  /** Awaited between chunks of the backward build (default: one turn of the event loop); tests hold the build half way. */
  readonly pace?: () => Promise<void>;
  /** Structured notes: built, loaded, rebuilt and why. */
  readonly onNotice?: (event: string, facts: Record<string, unknown>) => void;
}

/** How far the index has read main, for logs, tests and the benchmark. */
export interface PathIndexStatus {
  /** The newest commit indexed (main's tip when last looked at). */
  readonly head: string | null;
  /** True once the index reaches main's first commit; until then older history is read from git. */
  readonly complete: boolean;
  readonly paths: number;
  readonly entries: number;
}

/** What one commit did to one path: the blob it left there (null: removed). */
export interface PathChange {
  readonly path: string;
  readonly blob: string | null;
}

/** What one commit did to one file: the blob before it and the blob it left (null: none, the file was added or removed). */
export interface FileChange {
  readonly path: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** One record of `git log --first-parent --raw --format=%x1e%H %P`. */
export interface LogRecord {
  readonly commit: string;
  readonly parent: string | null;
  readonly changes: PathChange[];
}

const LOG_ARGS = ["log", "--first-parent", "--no-renames", "--diff-merges=first-parent", "--raw", "--no-abbrev", "--format=%x1e%H %P"];
const SAVE_EVERY = 20_000;

/**
 * Which commits touched which file along main's first-parent history: a
 * history page costs a lookup instead of a path-limited walk of the whole
 * history (git 2.39's Bloom filters answer poorly for some paths). A cache
 * of the repository, never its source of truth:
 *
 * - persisted beside the repository (`PATH_INDEX_FILE`) and, at the next
 *   start, trusted only when its checksum holds and its tip is an ancestor
 *   of main; then extended from git by what main gained meanwhile. A
 *   missing, damaged or foreign file (a repository replaced by a restore)
 *   is rebuilt;
 * - built from main's tip backward in the background; until it reaches the
 *   first commit, answers take what it has and ask git for the rest, so a
 *   cold start answers correctly at once;
 * - extended by the writer with the commits it makes (no git call), and
 *   from git when main moved otherwise.
 */
export class PathIndex {
  private lists = new Map<string, PathList>();
  private byDevice: { readonly lists: Map<string, PathList>; readonly size: number; readonly map: Map<string, string[]> } | null = null;
  /** Newest commit indexed; forward extensions start from it. */
  private head: string | null = null;
  /** Newest commit not yet indexed below the indexed range (null: the index reaches the root). */
  private below: string | null = null;
  private entries = 0;
  private started: Promise<void> | null = null;
  /** Forward extensions run one at a time, each from where the last one ended. */
  private extending: Promise<void> = Promise.resolve();
  /** A forward extension from git is reading: the writer's own records wait for the next one. */
  private busy = false;
  private backward: GitStream | null = null;
  private build: Promise<void> = Promise.resolve();
  /** Bumped on every reset: a build or extension of an older generation drops its results. */
  private generation = 0;
  private sinceSave = 0;
  private saving: Promise<void> | null = null;
  private closed = false;
  private readonly file: string | null;

  constructor(private readonly repo: PathIndexSource, private readonly opts: PathIndexOptions = {}) {
    this.file = opts.file ?? null;
  }

  /** Loads or starts the index and brings it to main's tip (serve warms it at start); the backward build goes on behind. */
  async ready(): Promise<PathIndexStatus> {
    await this.sync();
    return this.status();
  }

  status(): PathIndexStatus {
    return { head: this.head, complete: this.head !== null && this.below === null, paths: this.lists.size, entries: this.entries };
  }

  /** Resolves when the backward build (if any) has reached main's first commit: tests and the benchmark. */
  async whenComplete(): Promise<void> {
    await this.sync();
    for (;;) {
      const b = this.build;
      await b;
      if (b === this.build) return;
    }
  }

  /**
   * Newest first, at most `limit` versions of `filePath` strictly older than
   * the commit `before` when given, and the version just before the oldest
   * of them (its stats are a diff against it; null: the oldest is the first).
   */
  async page(filePath: string, before: string | null, limit: number): Promise<{ versions: Version[]; previous: Version | null }> {
    const all = await this.newest(filePath, before, limit + 1);
    return { versions: all.slice(0, limit), previous: all[limit] ?? null };
  }

  private async newest(filePath: string, before: string | null, n: number): Promise<Version[]> {
    await this.sync();
    const list = this.lists.get(filePath);
    let end = list?.length ?? 0;
    if (before) {
      const at = list ? list.lastIndexOf(before) : -1;
      // A cursor the index does not list for this file (older than what it has read, or another file's commit): git walks from it.
      if (at < 0) return (await this.gitVersions(before, filePath, n + 1)).filter((v) => v.commit !== before).slice(0, n);
      end = at;
    }
    const start = Math.max(0, end - n);
    const versions = list ? list.newestFirst(start, end) : [];
    const below = this.below;
    if (versions.length < n && start === 0 && below !== null) versions.push(...(await this.gitVersions(below, filePath, n - versions.length)));
    return versions;
  }

  /** The newest commit on main that touched `filePath`, or null. */
  async latest(filePath: string): Promise<string | null> {
    await this.sync();
    const list = this.lists.get(filePath);
    if (list && list.length > 0) return list.at(list.length - 1).commit;
    const below = this.below;
    return below === null ? null : ((await this.gitVersions(below, filePath, 1))[0]?.commit ?? null);
  }

  /** The tip of main the index reflects, brought up to date first (null: main is unborn). */
  async tip(): Promise<string | null> {
    await this.sync();
    return this.head;
  }

  /** Every commit on main that touched `filePath`, oldest first; git answers for the range the index has not read yet. */
  async commitsOf(filePath: string): Promise<string[]> {
    await this.sync();
    const list = this.lists.get(filePath);
    const below = this.below;
    const indexed = list ? list.newestFirst(0, list.length).map((v) => v.commit) : [];
    const older = below === null ? [] : (await this.gitVersions(below, filePath, null)).map((v) => v.commit);
    return [...indexed, ...older].reverse();
  }

  /** The commit before `commit` that touched `filePath` (its previous version), or null for its first. */
  async previous(filePath: string, commit: string): Promise<string | null> {
    await this.sync();
    const list = this.lists.get(filePath);
    const at = list ? list.lastIndexOf(commit) : -1;
    if (at > 0) return list!.at(at - 1).commit;
    if (at === 0 && this.below === null) return null;
    // Not indexed (yet), or the oldest the index has read so far: git walks from it.
    return (await this.gitVersions(commit, filePath, 2)).filter((v) => v.commit !== commit)[0]?.commit ?? null;
  }

  /**
   * What each commit did to its device's file (`<device>.rsc` in any
   * folder), from the index alone: the blob it left and the one before.
   * Null for a commit the index cannot answer for (no single such file
   * lists it, or the version before it is not read yet): the caller asks git.
   */
  async changesOf(commits: ReadonlyArray<{ readonly commit: string; readonly device: string }>): Promise<Array<FileChange | null>> {
    await this.sync();
    return commits.map(({ commit, device }) => {
      let found: FileChange | null = null;
      for (const p of this.pathsOfDevice(device)) {
        const list = this.lists.get(p)!;
        const at = list.lastIndexOf(commit);
        if (at < 0) continue;
        if (found || (at === 0 && this.below !== null)) return null;
        found = { path: p, before: at > 0 ? list.at(at - 1).blob : null, after: list.at(at).blob };
      }
      return found;
    });
  }

  /** The indexed files named `<device>.rsc`, by device; remade when files were added or the index was reset. */
  private pathsOfDevice(device: string): readonly string[] {
    if (this.byDevice?.lists !== this.lists || this.byDevice.size !== this.lists.size) {
      const map = new Map<string, string[]>();
      for (const p of this.lists.keys()) {
        if (!p.endsWith(".rsc")) continue;
        const id = p.slice(p.lastIndexOf("/") + 1, -".rsc".length);
        const known = map.get(id);
        if (known) known.push(p);
        else map.set(id, [p]);
      }
      this.byDevice = { lists: this.lists, size: this.lists.size, map };
    }
    return this.byDevice.map.get(device) ?? [];
  }

  /**
   * The writer made `commits` (oldest first) on top of `base`: appended
   * without asking git when the index stands exactly at `base`; otherwise
   * the next read extends from git.
   */
  record(base: string | null, commits: ReadonlyArray<{ readonly commit: string; readonly changes: readonly PathChange[] }>): void {
    if (this.started === null || this.busy || this.head === null || this.head !== base || commits.length === 0) return;
    for (const c of commits) this.add(c.commit, c.changes, "append");
    this.head = commits[commits.length - 1]!.commit;
    this.added(commits.length);
  }

  /** Stops the background build (no git process outlives the repository) and saves what changed since the last save. */
  async close(): Promise<void> {
    this.stop();
    await this.saving;
    if (this.sinceSave > 0) await this.save();
  }

  /** Stops the background build now; nothing is saved. */
  stop(): void {
    this.closed = true;
    this.backward?.stop();
  }

  // ---- keeping up with main -------------------------------------------------

  /** Loads or starts the index once, then extends it to main's tip. */
  private async sync(): Promise<void> {
    await (this.started ??= this.start());
    const tip = await this.repo.mainTip();
    if (tip && tip !== this.head) {
      const run = this.extending.then(() => this.extend());
      this.extending = run.catch(() => this.reset(null, "extension failed")); // rebuilt from git
      await run;
    }
  }

  private async start(): Promise<void> {
    const tip = await this.repo.mainTip();
    const loaded = tip ? await this.load(tip) : false;
    if (!loaded) this.reset(tip, this.file ? "no usable saved index" : null);
  }

  /** Uses the saved index when it is whole and its tip is one of main's commits. */
  private async load(tip: string): Promise<boolean> {
    if (!this.file) return false;
    const t0 = performance.now();
    let buf: Buffer;
    try {
      buf = await fs.readFile(this.file);
    } catch {
      return false;
    }
    const snap = decodePathIndex(buf);
    if (!snap) {
      this.opts.onNotice?.("history.index_damaged", { file: this.file });
      return false;
    }
    if (snap.head !== tip && !(await this.isAncestor(snap.head, tip))) {
      this.opts.onNotice?.("history.index_foreign", { file: this.file, head: snap.head });
      return false;
    }
    for (const [p, ids] of snap.lists) {
      this.lists.set(p, new PathList(ids));
      this.entries += ids.length / 20;
    }
    this.head = snap.head;
    this.below = null;
    this.opts.onNotice?.("history.index_loaded", { paths: this.lists.size, entries: this.entries, ms: Math.round(performance.now() - t0) });
    return true;
  }

  private async isAncestor(commit: string, tip: string): Promise<boolean> {
    const r = await runGit({ gitDir: this.repo.gitDir, args: ["merge-base", "--is-ancestor"], revs: [commit, tip], okCodes: [1, 128] });
    return r.code === 0;
  }

  /** Forgets everything and indexes main again from `tip` backward, in the background. */
  private reset(tip: string | null, why: string | null): void {
    this.backward?.stop();
    this.generation++;
    this.lists = new Map();
    this.entries = 0;
    this.head = tip;
    this.below = tip;
    this.sinceSave = 0;
    if (why) this.opts.onNotice?.("history.index_rebuild", { why });
    if (tip === null) {
      // An unborn main: nothing to read; the first sync with a tip starts over.
      this.started = null;
      return;
    }
    this.build = this.buildBackward(tip, this.generation);
  }

  /** Reads main from `tip` to its first commit, prepending as it goes: readers see a growing, always consistent range. */
  private buildBackward(tip: string, generation: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    const t0 = performance.now();
    const parser = new LogParser((r) => {
      if (generation !== this.generation) return;
      this.add(r.commit, r.changes, "prepend");
      this.below = r.parent;
    });
    const pace = this.opts.pace ?? (() => new Promise<void>((r) => setImmediate(r)));
    const stream = streamGitChunks({ gitDir: this.repo.gitDir, args: LOG_ARGS, revs: [tip] }, (chunk, resume) => {
      parser.push(chunk);
      // Each chunk is parsed at once; the next waits its turn, so requests are served while the index builds.
      void pace().then(resume);
      return false;
    });
    this.backward = stream;
    return stream.done.then(
      () => {
        parser.end();
        if (generation !== this.generation || this.closed) return;
        this.backward = null;
        if (this.below !== null) return this.reset(tip, "history read incompletely");
        this.opts.onNotice?.("history.index_built", { paths: this.lists.size, entries: this.entries, ms: Math.round(performance.now() - t0) });
        this.sinceSave = Math.max(this.sinceSave, 1);
        void this.saveSoon(true);
      },
      (err: Error) => {
        if (generation !== this.generation) return;
        this.backward = null;
        this.opts.onNotice?.("history.index_failed", { msg: err.message });
        // Answers keep coming from git for the range not read; the next start tries again.
      },
    );
  }

  /** Appends what main gained since `head`, from git; a main that no longer descends from `head` starts the index over. */
  private async extend(): Promise<void> {
    const generation = this.generation;
    const from = this.head;
    const now = await this.repo.mainTip();
    if (!now || now === from) return;
    if (from === null) return this.reset(now, null);
    this.busy = true;
    try {
      const records: LogRecord[] = [];
      const parser = new LogParser((r) => records.push(r));
      const r = await runGit({ gitDir: this.repo.gitDir, args: LOG_ARGS, revs: [`${from}..${now}`] });
      parser.push(r.stdout);
      parser.end();
      if (generation !== this.generation || this.head !== from) return;
      const oldest = records[records.length - 1];
      if (!oldest || oldest.parent !== from) return this.reset(now, "main no longer descends from the indexed tip");
      for (let i = records.length - 1; i >= 0; i--) this.add(records[i]!.commit, records[i]!.changes, "append");
      this.head = now;
      this.added(records.length);
    } finally {
      this.busy = false;
    }
  }

  private add(commit: string, changes: readonly PathChange[], where: "append" | "prepend"): void {
    const id = Buffer.from(commit, "hex");
    for (const c of changes) {
      let list = this.lists.get(c.path);
      if (!list) this.lists.set(c.path, (list = new PathList()));
      const blob = c.blob === null ? null : Buffer.from(c.blob, "hex");
      if (where === "append") list.append(id, blob);
      else list.prepend(id, blob);
      this.entries++;
    }
  }

  private added(n: number): void {
    this.sinceSave += n;
    if (this.sinceSave >= (this.opts.saveEvery ?? SAVE_EVERY)) void this.saveSoon(false);
  }

  // ---- the saved copy -----------------------------------------------------------

  private saveSoon(force: boolean): Promise<void> {
    if (this.saving) return this.saving;
    if (!force && this.sinceSave === 0) return Promise.resolve();
    this.saving = this.save().finally(() => (this.saving = null));
    return this.saving;
  }

  /** Writes the complete index (never a partial one) under a temporary name, then renames it into place. */
  private async save(): Promise<void> {
    if (!this.file || this.head === null || this.below !== null) return;
    const head = this.head;
    const count = this.sinceSave;
    const lists = [...this.lists].map(([p, l]) => [p, l.bytes()] as const);
    const buf = encodePathIndex({ head, lists });
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await fs.writeFile(tmp, buf);
      await fs.rename(tmp, this.file);
      this.sinceSave = Math.max(0, this.sinceSave - count);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => {});
      this.opts.onNotice?.("history.index_save_failed", { msg: (err as Error).message }); // a cache: the next start rebuilds
    }
  }

  // ---- git fallbacks --------------------------------------------------------------

  /** Newest first, at most `max` (null: every) versions of `filePath` from `rev` (itself included). */
  private async gitVersions(rev: string, filePath: string, max: number | null): Promise<Version[]> {
    const r = await runGit({ gitDir: this.repo.gitDir, args: [...LOG_ARGS, ...(max === null ? [] : [`--max-count=${max}`])], revs: [rev], paths: [filePath], okCodes: [128] });
    const out: Version[] = [];
    const parser = new LogParser((rec) => {
      const c = rec.changes.find((x) => x.path === filePath);
      if (c) out.push({ commit: rec.commit, blob: c.blob });
    });
    parser.push(r.stdout);
    parser.end();
    return out;
  }
}

const NO_BLOB = "0".repeat(40);

/** Incremental parser of `git log --raw --no-abbrev --format=%x1e%H %P` output (any chunking). */
export class LogParser {
  private rest = "";
  private readonly decoder = new StringDecoder("utf8");
  private current: { commit: string; parent: string | null; changes: PathChange[] } | null = null;

  constructor(private readonly onRecord: (r: LogRecord) => void) {}

  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  end(): void {
    this.rest += this.decoder.end();
    if (this.rest) this.line(this.rest);
    this.rest = "";
    if (this.current) this.onRecord(this.current);
    this.current = null;
  }

  private line(line: string): void {
    const c = line.charCodeAt(0);
    if (c === 0x1e) {
      if (this.current) this.onRecord(this.current);
      const commit = line.slice(1, 41);
      const parent = line.slice(42, 82);
      this.current = { commit, parent: parent.length === 40 ? parent : null, changes: [] };
    } else if (c === 0x3a /* : */ && this.current) {
      // `:<mode> <mode> <old blob> <new blob> <status>\t<path>`
      const tab = line.indexOf("\t");
      if (tab < 0) return;
      const fields = line.slice(1, tab).split(" ");
      const blob = fields[3];
      if (!blob || blob.length !== 40) return;
      this.current.changes.push({ path: line.slice(tab + 1), blob: blob === NO_BLOB ? null : blob });
    }
  }
}
