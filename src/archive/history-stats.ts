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
  private readonly map = new Map<string, { readonly value: CommitStats; readonly bytes: number }>();
  private bytes = 0;
  private loading: Promise<void> | null = null;
  /** Lines waiting for the next append: one write per event-loop turn, not one per commit. */
  private queued: string[] = [];
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
    return this.map.get(`${commit}:${filePath}`)?.value;
  }

  has(commit: string, filePath: string): boolean {
    return this.map.has(`${commit}:${filePath}`);
  }

  /** Remembers the stats and appends them to the file (once per key and process). */
  put(commit: string, filePath: string, value: CommitStats): void {
    const key = `${commit}:${filePath}`;
    if (this.map.has(key)) return;
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
    // Kept as parsed back from the line: section names sliced from the export
    // can keep the whole export text alive (V8 sliced strings).
    this.keep(key, parseLine(line)?.value ?? value, line.length);
    this.append(line);
  }

  /** Resolves once everything put so far is in the file (tests, shutdown). */
  async flushed(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await this.flushing;
  }

  private keep(key: string, value: CommitStats, bytes: number): void {
    this.map.set(key, { value, bytes });
    this.bytes += bytes;
    while (this.bytes > KEEP_BYTES && this.map.size > 1) {
      const [oldest, entry] = this.map.entries().next().value!;
      this.map.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  private append(line: string): void {
    if (this.queued.push(line) > 1) return;
    setImmediate(() => {
      const text = this.queued.join("");
      this.queued = [];
      this.flushing = this.flushing.then(async () => {
        try {
          await fs.mkdir(path.dirname(this.file), { recursive: true });
          await fs.appendFile(this.file, text);
        } catch {
          // A cache that cannot be written is only a slower next start.
        }
      });
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
      if (e && !this.map.has(e.key)) this.keep(e.key, e.value, line.length + 1);
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
const count = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** One line of the file, or null for anything that is not exactly what `append` writes. */
function parseLine(line: string): { key: string; value: CommitStats } | null {
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
  return { key: `${j.c}:${j.p}`, value: { stats: { added: j.a, removed: j.r }, sections: capped.sections, ...(capped.omitted && { sectionsOmitted: capped.omitted }), ...(j.x === 1 && { approximate: true }) } };
}
