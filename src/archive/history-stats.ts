import { promises as fs } from "node:fs";
import path from "node:path";
import { capSections, type CommitStats, type SectionChange } from "./change-stats.js";

export type { CommitStats } from "./change-stats.js";

/**
 * Where the stats of a repository are kept, beside its objects (git ignores
 * the folder; a clone never carries it). Versioned by name: a change to how
 * sections are counted starts a new file instead of trusting old lines.
 */
export const STATS_FILE = "rosarchive/history-stats-v1.jsonl";
/**
 * Memory is bounded by the size of the lines kept, not their number: a first
 * snapshot lists every section of the export (a few KB), a change one or two.
 * 8 MiB of lines is some tens of thousands of changes.
 */
const KEEP_BYTES = 8 * 1024 * 1024;
const TAIL_BYTES = KEEP_BYTES;
const COMPACT_BYTES = 4 * TAIL_BYTES;

/**
 * The stats of `<commit>:<path>`. Commits are immutable, so once known they
 * never change: the writer records them as it commits (it computed them for
 * the commit message anyway), readers add what they had to diff from git, and
 * both append to one file, so a restarted service pages history without
 * Re-diffing a blob. A cache: a missing, damaged or stale file only
 * costs those diffs again. Lines are whole-line appends; a torn last line is
 * skipped when read.
 */
export class StatsStore {
  /**
   * Each commit's line(s) as written, parsed again when asked for: tens of
   * thousands of kept entries are then one string each, not a tree of small
   * objects that every full garbage collection has to walk (that made
   * 20-50 ms pauses in a service holding 8 MiB of them).
   */
  private readonly map = new Map<string, string | string[]>();
  private bytes = 0;
  private loading: Promise<void> | null = null;
  /** Lines waiting for the next append. */
  private queued: string[] = [];
  private writing = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly limits: { readonly tailBytes: number; readonly compactBytes: number } = { tailBytes: TAIL_BYTES, compactBytes: COMPACT_BYTES },
  ) {}

  /** Reads the file once; later calls wait for the same read. */
  load(): Promise<void> {
    return (this.loading ??= this.read());
  }

  get(commit: string, filePath: string): CommitStats | undefined {
    const line = this.lineOf(commit, filePath);
    return line === undefined ? undefined : parseLine(line)?.value;
  }

  has(commit: string, filePath: string): boolean {
    return this.lineOf(commit, filePath) !== undefined;
  }

  /** Remembers the stats and appends them to the file (once per key and process). */
  put(commit: string, filePath: string, value: CommitStats): void {
    if (this.has(commit, filePath)) return;
    // Sections capped as listed (`o`: the rest counted); `x`: the counts are approximate.
    const { sections, omitted } = capSections(value.sections, undefined, value.sectionsOmitted);
    const line = `${JSON.stringify({
      c: commit,
      p: filePath,
      a: value.stats.added,
      r: value.stats.removed,
      s: sections.map((x) => [x.section, x.added, x.removed]),
      ...(omitted && { o: [omitted.sections, omitted.added, omitted.removed] }),
      ...(value.approximate && { x: 1 }),
    })}\n`;
    this.keep(commit, line);
    this.append(line);
  }

  /** The kept line of `<commit>:<path>`: lines start `{"c":"<commit>","p":<path>` as `put` writes them. */
  private lineOf(commit: string, filePath: string): string | undefined {
    const kept = this.map.get(commit);
    if (kept === undefined) return undefined;
    const p = JSON.stringify(filePath);
    const ofPath = (l: string) => l.startsWith(p, PATH_AT);
    return typeof kept === "string" ? (ofPath(kept) ? kept : undefined) : kept.find(ofPath);
  }

  private keep(commit: string, line: string): void {
    const kept = this.map.get(commit);
    this.map.set(commit, kept === undefined ? line : typeof kept === "string" ? [kept, line] : [...kept, line]);
    this.bytes += line.length;
    while (this.bytes > KEEP_BYTES && this.map.size > 1) {
      const [oldest, lines] = this.map.entries().next().value!;
      this.map.delete(oldest);
      for (const l of typeof lines === "string" ? [lines] : lines) this.bytes -= l.length;
    }
  }

  /** Resolves once everything put so far is in the file (tests, shutdown). */
  async flushed(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await this.flushing;
  }

  /**
   * Lines put while a write runs go in the next one: a cold page of 200
   * versions (a diff per event-loop turn) is a few appends, not 200.
   */
  private append(line: string): void {
    this.queued.push(line);
    if (this.writing) return;
    this.writing = true;
    this.flushing = this.flushing.then(async () => {
      await new Promise((r) => setImmediate(r));
      while (this.queued.length > 0) {
        const text = this.queued.join("");
        this.queued = [];
        try {
          await fs.mkdir(path.dirname(this.file), { recursive: true });
          await fs.appendFile(this.file, text);
        } catch {
          // A cache that cannot be written is only a slower next start.
        }
      }
      this.writing = false;
    });
  }

  /**
   * Reads the newest `tailBytes` of the file (what memory keeps anyway: older
   * pages are diffed from git again), and when the file has grown past
   * `compactBytes` rewrites it as that tail, so neither start time nor disk
   * use grows with years of history.
   */
  private async read(): Promise<void> {
    let text: string;
    let size: number;
    try {
      const fh = await fs.open(this.file, "r");
      try {
        size = (await fh.stat()).size;
        const from = Math.max(0, size - this.limits.tailBytes);
        const buf = Buffer.alloc(size - from);
        await fh.read(buf, 0, buf.length, from);
        text = buf.toString("utf8");
        if (from > 0) text = text.slice(text.indexOf("\n") + 1); // the first line is cut
      } finally {
        await fh.close();
      }
    } catch {
      return; // no file yet: everything is computed from git
    }
    for (const line of text.split("\n")) {
      const e = parseLine(line);
      // Only lines as `put` writes them (commit, then path, first) can be found again.
      if (e && line.startsWith(`{"c":"${e.commit}","p":`) && !this.has(e.commit, e.path)) this.keep(e.commit, `${line}\n`);
    }
    // Lines another process appends between the read and the rename are lost: a cache, they are diffed again.
    if (size > this.limits.compactBytes) {
      const tmp = `${this.file}.${process.pid}.tmp`;
      await fs
        .writeFile(tmp, text.endsWith("\n") || text === "" ? text : text.slice(0, text.lastIndexOf("\n") + 1))
        .then(() => fs.rename(tmp, this.file))
        .catch(() => fs.rm(tmp, { force: true }));
    }
  }
}

const COMMIT_ID = /^[0-9a-f]{40}$/;
/** Where a line's path begins: after `{"c":"<40 hex>","p":`. */
const PATH_AT = 52;
const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** One line of the file, or null for anything that is not exactly what `append` writes. */
function parseLine(line: string): { commit: string; path: string; value: CommitStats } | null {
  if (!line) return null;
  let j: { c?: unknown; p?: unknown; a?: unknown; r?: unknown; s?: unknown; o?: unknown; x?: unknown };
  try {
    j = JSON.parse(line) as typeof j;
  } catch {
    return null;
  }
  if (typeof j.c !== "string" || !COMMIT_ID.test(j.c) || typeof j.p !== "string" || !count(j.a) || !count(j.r) || !Array.isArray(j.s)) return null;
  const sections: SectionChange[] = [];
  for (const s of j.s as unknown[]) {
    if (!Array.isArray(s) || s.length !== 3 || typeof s[0] !== "string" || !count(s[1]) || !count(s[2])) return null;
    sections.push({ section: s[0], added: s[1], removed: s[2] });
  }
  let earlier: { sections: number; added: number; removed: number } | undefined;
  if (j.o !== undefined) {
    const o = j.o as unknown[];
    if (!Array.isArray(o) || o.length !== 3 || !o.every(count)) return null;
    earlier = { sections: o[0] as number, added: o[1] as number, removed: o[2] as number };
  }
  // Lines written before sections were capped may list any number: capped as they are read.
  const capped = capSections(sections, undefined, earlier);
  return { commit: j.c, path: j.p, value: { stats: { added: j.a, removed: j.r }, sections: capped.sections, ...(capped.omitted && { sectionsOmitted: capped.omitted }), ...(j.x === 1 && { approximate: true }) } };
}
