import { parseTrailers } from "./commit-message.js";
import { runGitQuickly } from "./git.js";
import { statsFields, type SectionChange, type SectionsOmitted } from "./change-stats.js";
import type { CommitStats } from "./history-stats.js";
import type { Version } from "./path-index.js";
import { summarizeYielding } from "./summarize.js";
import type { TenantRepo } from "./tenant-repo.js";

const MAIN = "refs/heads/main";

/** One history entry, newest first in a page. */
export interface HistoryEntry {
  readonly commit: string;
  readonly parent: string | null;
  /** Collected-At trailer (author time when absent). */
  readonly time: string;
  readonly trigger: string | null;
  readonly routeros_version: string | null;
  /** Subject after `<device>: `. */
  readonly summary: string;
  /** The commit only re-sealed unchanged plaintext (`Resealed: true` trailer): not a configuration change. */
  readonly resealed: boolean;
  readonly stats: { readonly added: number; readonly removed: number };
  /** At most the 100 sections with the most changed lines. */
  readonly sections: readonly SectionChange[];
  /** Present when sections were left out of `sections`: how many, and their lines. */
  readonly sections_omitted?: SectionsOmitted;
  /** Present (true) when the counts come from the bounded diff's fallback. */
  readonly approximate?: true;
}

export interface TimelineEntry extends HistoryEntry {
  readonly device: string;
}

export interface HistoryQuery {
  /** 1..200, checked by the caller. */
  readonly limit: number;
  /** Full id of a commit: the page starts strictly below it (cursor). */
  readonly before?: string | null;
  readonly sectionOf: (line: string) => string | null;
}

interface LogRecord {
  readonly commit: string;
  readonly parent: string | null;
  readonly authorTime: number;
  readonly message: string;
}

type Stats = CommitStats;
const NO_STATS: Stats = { stats: { added: 0, removed: 0 }, sections: [] };

async function recordOf(repo: TenantRepo, commit: string): Promise<LogRecord | null> {
  const obj = await repo.readObject(commit);
  return obj && obj.type === "commit" ? parseCommit(commit, obj.body) : null;
}

/** A commit object's first parent, author time and message, and how many parents it has. */
function parseCommit(commit: string, body: Buffer): LogRecord & { readonly parents: number } {
  const text = body.toString("utf8");
  const split = text.indexOf("\n\n");
  const head = split < 0 ? text : text.slice(0, split);
  const parents = head.match(/^parent [0-9a-f]{40}$/gm) ?? [];
  const at = Number(/^author .* (\d+) [+-]\d{4}$/m.exec(head)?.[1] ?? 0);
  return { commit, parent: parents[0]?.slice(7) ?? null, parents: parents.length, authorTime: at, message: split < 0 ? "" : text.slice(split + 2) };
}

/** Newest first, the commits that changed `filePath` (from the history index; git answers for what it has not read yet). */
export async function deviceHistory(repo: TenantRepo, filePath: string, q: HistoryQuery): Promise<HistoryEntry[]> {
  const { versions, previous } = await repo.paths.page(filePath, q.before ?? null, q.limit);
  const [records] = await Promise.all([Promise.all(versions.map((v) => recordOf(repo, v.commit))), fillDeviceStats(repo, versions, previous, filePath, q.sectionOf)]);
  return records.filter((r): r is LogRecord => r !== null).map((r) => toEntry(r, repo.stats.get(r.commit, filePath) ?? NO_STATS));
}

/**
 * The stats of each version not yet known: on a first-parent history the
 * file before a version is the version before it, so a cold page reads each
 * blob once, by its id (no root tree to resolve), plus the one before.
 */
async function fillDeviceStats(repo: TenantRepo, versions: readonly Version[], previous: Version | null, filePath: string, sectionOf: HistoryQuery["sectionOf"]): Promise<void> {
  const cache = repo.stats;
  await cache.load();
  if (versions.every((v) => cache.has(v.commit, filePath))) return;
  const chain = [...versions, ...(previous ? [previous] : [])];
  const texts = await Promise.all(chain.map((v) => blobText(repo, v.blob)));
  for (let i = 0; i < versions.length; i++) {
    const v = versions[i]!;
    if (cache.has(v.commit, filePath)) continue;
    const before = i + 1 < chain.length ? texts[i + 1]! : null;
    cache.put(v.commit, filePath, commitStatsOf(await summarizeYielding(before, texts[i] ?? "", sectionOf)));
    // One diff per turn of the event loop: a cold page of large changes never holds other requests for long.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The text of a blob by id (null for none: a removed file). */
async function blobText(repo: TenantRepo, blob: string | null): Promise<string | null> {
  if (blob === null) return null;
  return (await repo.readBlob(blob))?.toString("utf8") ?? null;
}

/** Newest first, every device's commits (the repository's initial README commit is left out). */
export async function tenantHistory(repo: TenantRepo, q: HistoryQuery): Promise<TimelineEntry[]> {
  const start = await startRev(repo, q.before ?? null);
  if (!start) return [];
  const records = (await walkIndexed(repo, start, q.limit)) ?? (await walkLog(repo, start, q.limit));
  // Each entry's stats at once: the reads of their blobs (by id) share one round of the object reader.
  const stats = await Promise.all(records.map((r) => (r.change ? statsOf(repo, r, r.change, q.sectionOf) : NO_STATS)));
  return records.map((r, i) => ({ ...toEntry(r, stats[i]!), device: r.device }));
}

/**
 * Up to `limit` device commits from `start` down main, read commit by commit
 * through the object reader, with what each did to its file from the
 * history index: no git process and no tree diffs. Null when a commit is
 * one the index cannot answer for (a merge, several files, not indexed
 * yet): git's log answers the page then.
 */
async function walkIndexed(repo: TenantRepo, start: string, limit: number): Promise<DeviceRecord[] | null> {
  const found: Array<LogRecord & { readonly device: string }> = [];
  let rev: string | null = start;
  for (let read = 0; rev && found.length < limit; read++) {
    // Many commits without a device (made outside): git's log skips them faster than one read each.
    if (read > 2 * limit + 8) return null;
    const obj = await repo.readObject(rev);
    if (!obj || obj.type !== "commit") return null;
    const r = parseCommit(obj.id, obj.body);
    // A merge: which side the log lists first is git's to say.
    if (r.parents > 1) return null;
    const device = parseTrailers(r.message).Device;
    if (device) found.push({ ...r, device });
    rev = r.parent;
  }
  const changes = await repo.paths.changesOf(found);
  if (changes.some((c) => c === null)) return null;
  return found.map((r, i) => ({ commit: r.commit, parent: r.parent, authorTime: r.authorTime, message: r.message, device: r.device, change: changes[i]! }));
}

/** The same records from `git log --raw` (the first file each commit changed). */
async function walkLog(repo: TenantRepo, start: string, limit: number): Promise<DeviceRecord[]> {
  const out: DeviceRecord[] = [];
  let rev: string | null = start;
  // Only the root commit lacks a Device trailer, so one extra record usually suffices; loop for safety.
  while (rev && out.length < limit) {
    const want: number = limit - out.length + 1;
    const records = await readLog(repo, rev, want);
    const kept = records.flatMap((r) => {
      const device = parseTrailers(r.message).Device;
      return device ? [{ ...r, device }] : [];
    });
    out.push(...kept.slice(0, limit - out.length));
    if (records.length < want) break;
    rev = records[records.length - 1]!.parent;
  }
  return out;
}

/** Newest commit on main that changed `filePath`, or null. */
export function latestCommitOf(repo: TenantRepo, filePath: string): Promise<string | null> {
  return repo.paths.latest(filePath);
}

/**
 * Full id of the commit named by `rev` (40 hex, or an unambiguous 7-39 hex
 * prefix), or null when there is no such commit. Anything else is refused
 * before it reaches git.
 */
export async function resolveCommit(repo: TenantRepo, rev: string): Promise<string | null> {
  if (!/^[0-9a-f]{7,40}$/.test(rev)) return null;
  const obj = await repo.readObject(`${rev}^{commit}`);
  return obj && obj.type === "commit" ? obj.id : null;
}

/** The commit before `commit` that changed `filePath` (the file's previous version), or null for its first. */
export function previousVersionOf(repo: TenantRepo, filePath: string, commit: string): Promise<string | null> {
  return repo.paths.previous(filePath, commit);
}

/** Parent (first) of a commit, or null for a root commit. */
export async function parentOf(repo: TenantRepo, commit: string): Promise<string | null> {
  const obj = await repo.readObject(commit);
  if (!obj || obj.type !== "commit") return null;
  const head = obj.body.toString("utf8").split("\n\n", 1)[0]!;
  return /^parent ([0-9a-f]{40})$/m.exec(head)?.[1] ?? null;
}

async function startRev(repo: TenantRepo, before: string | null): Promise<string | null> {
  if (before === null) return (await repo.resolve(MAIN)) ? MAIN : null;
  return parentOf(repo, before);
}

/** A timeline record: the commit and what it did to its (first) file. */
interface TimelineRecord extends LogRecord {
  readonly change: { readonly path: string; readonly before: string | null; readonly after: string | null } | null;
}

/** A timeline entry before its stats: a commit with a Device trailer. */
interface DeviceRecord extends TimelineRecord {
  readonly device: string;
}

const NO_BLOB = "0".repeat(40);

async function readLog(repo: TenantRepo, rev: string, limit: number): Promise<TimelineRecord[]> {
  const r = await runGitQuickly({
    gitDir: repo.gitDir,
    args: ["log", `--max-count=${limit}`, "--no-renames", "--raw", "--no-abbrev", "--format=%x1e%H%x1f%P%x1f%at%x1f%B%x1d"],
    revs: [rev],
  });
  const out: TimelineRecord[] = [];
  for (const chunk of r.stdout.toString("utf8").split("\x1e")) {
    if (!chunk) continue;
    const end = chunk.indexOf("\x1d");
    const [commit, parents, at, ...msg] = chunk.slice(0, end).split("\x1f");
    // `:<mode> <mode> <old blob> <new blob> <status>\t<path>`
    const raw = chunk.slice(end + 1).split("\n").find((l) => l.startsWith(":") && l.includes("\t"));
    let change: TimelineRecord["change"] = null;
    if (raw) {
      const fields = raw.slice(1, raw.indexOf("\t")).split(" ");
      const blob = (id: string | undefined) => (id && id !== NO_BLOB ? id : null);
      change = { path: raw.slice(raw.indexOf("\t") + 1), before: blob(fields[2]), after: blob(fields[3]) };
    }
    out.push({ commit: commit!, parent: parents ? parents.split(" ")[0]! : null, authorTime: Number(at), message: msg.join("\x1f"), change });
  }
  return out;
}

async function statsOf(repo: TenantRepo, r: LogRecord, change: NonNullable<TimelineRecord["change"]>, sectionOf: HistoryQuery["sectionOf"]): Promise<Stats> {
  const cache = repo.stats;
  await cache.load();
  const hit = cache.get(r.commit, change.path);
  if (hit) return hit;
  const [after, before] = await Promise.all([blobText(repo, change.after), blobText(repo, change.before)]);
  const s = await summarizeYielding(before, after ?? "", sectionOf);
  const value = commitStatsOf(s);
  cache.put(r.commit, change.path, value);
  await new Promise((resolve) => setImmediate(resolve));
  return value;
}

function commitStatsOf(s: CommitStats): Stats {
  return { stats: s.stats, sections: s.sections, sectionsOmitted: s.sectionsOmitted, approximate: s.approximate };
}

function toEntry(r: LogRecord, s: Stats): HistoryEntry {
  const t = parseTrailers(r.message);
  const subject = r.message.split("\n", 1)[0] ?? "";
  const device = t.Device;
  const summary = device && subject.startsWith(`${device}: `) ? subject.slice(device.length + 2) : subject;
  return {
    commit: r.commit,
    parent: r.parent,
    time: t["Collected-At"] ?? new Date(r.authorTime * 1000).toISOString().replace(".000Z", "Z"),
    trigger: t.Trigger ?? null,
    routeros_version: t["RouterOS-Version"] ?? null,
    summary,
    resealed: t.Resealed === "true",
    ...statsFields(s),
  };
}

/** Trailers of one commit (Device, Collected-At...), or null when it is not a commit. */
export async function commitTrailers(repo: TenantRepo, commit: string): Promise<Record<string, string> | null> {
  const obj = await repo.readObject(commit);
  if (!obj || obj.type !== "commit") return null;
  const text = obj.body.toString("utf8");
  const i = text.indexOf("\n\n");
  return parseTrailers(i < 0 ? "" : text.slice(i + 2));
}
