import { parseTrailers } from "./commit-message.js";
import { runGit } from "./git.js";
import type { CommitStats } from "./history-stats.js";
import { summarize, type SectionChange } from "./summarize.js";
import type { TenantRepo } from "./tenant-repo.js";

const MAIN = "refs/heads/main";

/** One history entry (SPEC §8), newest first in a page. */
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
  readonly sections: readonly SectionChange[];
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
  readonly paths: readonly string[];
}

type Stats = CommitStats;

async function recordOf(repo: TenantRepo, commit: string): Promise<LogRecord | null> {
  const obj = await repo.readObject(commit);
  if (!obj || obj.type !== "commit") return null;
  const text = obj.body.toString("utf8");
  const split = text.indexOf("\n\n");
  const head = text.slice(0, split);
  const parent = /^parent ([0-9a-f]{40})$/m.exec(head)?.[1] ?? null;
  const at = Number(/^author .* (\d+) [+-]\d{4}$/m.exec(head)?.[1] ?? 0);
  return { commit, parent, authorTime: at, message: split < 0 ? "" : text.slice(split + 2), paths: [] };
}

/** Newest first, the commits that changed `filePath` (from the history index; git answers for what it has not read yet). */
export async function deviceHistory(repo: TenantRepo, filePath: string, q: HistoryQuery): Promise<HistoryEntry[]> {
  const ids = await repo.paths.page(filePath, q.before ?? null, q.limit);
  const records = (await Promise.all(ids.map((c) => recordOf(repo, c)))).filter((r): r is LogRecord => r !== null);
  await fillDeviceStats(repo, records, filePath, q.sectionOf);
  return Promise.all(records.map(async (r) => toEntry(r, await statsOf(repo, r, filePath, q.sectionOf))));
}

/**
 * On a linear history the file at a page entry's parent is the file of the
 * next (older) entry, so a cold page reads each blob once, plus one parent.
 */
async function fillDeviceStats(repo: TenantRepo, records: readonly LogRecord[], filePath: string, sectionOf: HistoryQuery["sectionOf"]): Promise<void> {
  const cache = repo.stats;
  await cache.load();
  if (records.every((r) => r.parent === null || cache.has(r.commit, filePath))) return;
  const text = (o: { type: string; body: Buffer } | null) => (o?.type === "blob" ? o.body.toString("utf8") : null);
  const last = records[records.length - 1];
  const [blobs, oldest] = await Promise.all([
    Promise.all(records.map((r) => repo.readObject(`${r.commit}:${filePath}`))),
    last?.parent ? repo.readObject(`${last.parent}:${filePath}`) : Promise.resolve(null),
  ]);
  records.forEach((r, i) => {
    if (cache.has(r.commit, filePath) || r.parent === null) return;
    const before = i + 1 < records.length ? text(blobs[i + 1]!) : text(oldest);
    const sm = summarize(before, text(blobs[i]!) ?? "", sectionOf);
    cache.put(r.commit, filePath, { stats: sm.stats, sections: sm.sections });
  });
}

/** Newest first, every device's commits (the repository's initial README commit is left out). */
export async function tenantHistory(repo: TenantRepo, q: HistoryQuery): Promise<TimelineEntry[]> {
  const start = await startRev(repo, q.before ?? null);
  if (!start) return [];
  const out: TimelineEntry[] = [];
  let rev: string | null = start;
  // Only the root commit lacks a Device trailer, so one extra record usually suffices; loop for safety.
  while (rev && out.length < q.limit) {
    const want: number = q.limit - out.length + 1;
    const records: LogRecord[] = await readLog(repo, rev, want, null);
    const devices = records.map((r) => parseTrailers(r.message).Device);
    // Each entry's stats at once: the reads of their blobs share one round of the object reader.
    const kept = records.filter((r, i) => devices[i]).slice(0, q.limit - out.length);
    const stats = await Promise.all(kept.map((r) => (r.paths[0] ? statsOf(repo, r, r.paths[0], q.sectionOf) : { stats: { added: 0, removed: 0 }, sections: [] })));
    kept.forEach((r, i) => out.push({ ...toEntry(r, stats[i]!), device: parseTrailers(r.message).Device! }));
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

async function readLog(repo: TenantRepo, rev: string, limit: number, filePath: string | null): Promise<LogRecord[]> {
  const r = await runGit({
    gitDir: repo.gitDir,
    args: ["log", `--max-count=${limit}`, "--no-renames", "--name-only", "--format=%x1e%H%x1f%P%x1f%at%x1f%B%x1d"],
    revs: [rev],
    ...(filePath !== null && { paths: [filePath] }),
  });
  const out: LogRecord[] = [];
  for (const chunk of r.stdout.toString("utf8").split("\x1e")) {
    if (!chunk) continue;
    const end = chunk.indexOf("\x1d");
    const [commit, parents, at, ...msg] = chunk.slice(0, end).split("\x1f");
    out.push({
      commit: commit!,
      parent: parents ? parents.split(" ")[0]! : null,
      authorTime: Number(at),
      message: msg.join("\x1f"),
      paths: chunk
        .slice(end + 1)
        .split("\n")
        .filter((l) => l !== ""),
    });
  }
  return out;
}

async function statsOf(repo: TenantRepo, r: LogRecord, filePath: string, sectionOf: HistoryQuery["sectionOf"]): Promise<Stats> {
  const cache = repo.stats;
  await cache.load();
  const hit = cache.get(r.commit, filePath);
  if (hit) return hit;
  const [after, before] = await Promise.all([
    repo.readObject(`${r.commit}:${filePath}`),
    r.parent ? repo.readObject(`${r.parent}:${filePath}`) : Promise.resolve(null),
  ]);
  const s = summarize(before?.type === "blob" ? before.body.toString("utf8") : null, after?.type === "blob" ? after.body.toString("utf8") : "", sectionOf);
  const value: Stats = { stats: s.stats, sections: s.sections };
  cache.put(r.commit, filePath, value);
  return value;
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
    stats: s.stats,
    sections: s.sections,
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
