import { asRosarchiveError } from "../common/index.js";
import type { DevicePlan, MappableDevice, NodeFile } from "./map-nodes.js";
import type { Extracted, SkipReason, SourceVersion } from "./types.js";

/** What archiving one version answered. */
export interface Submitted {
  readonly changed: boolean;
  readonly commit: string | null;
  readonly version: string;
}

/** The newest version replayed into a device, for its state. */
export interface LastImported {
  readonly collectedAtMs: number;
  readonly commit: string | null;
  readonly version: string;
  /** The newest commit this run made for the device, if any. */
  readonly changed: { readonly commit: string; readonly collectedAtMs: number } | null;
}

/** The edges the replay runs against, injected (the CLI wires the real pipeline; tests wire fakes). */
export interface ReplayDeps<D extends MappableDevice> {
  /** Collected-At of the device's newest archived version (ms), or null when it has none. */
  newestArchivedMs(device: D): Promise<number | null>;
  /** The stored bytes of a version. */
  read(file: NodeFile, version: SourceVersion): Promise<Buffer>;
  /** Stored bytes → the export alone (tool-specific extraction and the import output check). */
  extract(bytes: Buffer): Extracted;
  /** Archive one export as `Trigger: import` with its original time: normalize → seal → commit. */
  submit(device: D, text: string, collectedAtMs: number): Promise<Submitted>;
  /** After a device's last version: record its state (once per device, not per version). */
  finish(device: D, last: LastImported): Promise<void>;
  /** Devices replayed at once; one device's versions always go one after another, oldest first. */
  readonly concurrency: number;
  onProgress?(p: ReplayProgress): void;
}

export interface ReplayProgress {
  readonly done: number;
  readonly total: number;
  readonly committed: number;
}

export interface DeviceOutcome {
  readonly device: string;
  readonly nodes: ReadonlyArray<{ readonly repo: string; readonly path: string }>;
  committed: number;
  unchanged: number;
  /** Versions not after the device's newest archived one (a re-run, or older than live backups). */
  not_newer: number;
  skipped: number;
  last_commit: string | null;
}

export interface VersionSkip {
  readonly device: string;
  readonly repo: string;
  readonly path: string;
  readonly reason: SkipReason;
  readonly detail: string;
  /** How many versions of this file were skipped for this reason, and the first and last of them. */
  versions: number;
  readonly first_commit: string;
  readonly first_time: string;
  last_commit: string;
  last_time: string;
}

export interface ReplayResult {
  readonly devices: DeviceOutcome[];
  readonly skipped: VersionSkip[];
}

const iso = (s: number) => new Date(s * 1000).toISOString().replace(".000Z", "Z");

/**
 * Replays every planned version into its device, oldest first per device,
 * several devices at a time (the tenant's writer then packs their commits
 * together), the next device chosen by the oldest waiting version so the
 * tenant's history stays close to time order. A version is archived only when
 * it is after the device's newest archived `Collected-At` (re-runs add nothing;
 * history never goes backwards) and its export differs from the version
 * before it (Oxidized commits preamble-only changes, such as a new line of
 * `/system history`). Skips are counted per file and reason. An error that is
 * not about the version itself (git, disk) stops the replay: what was
 * committed stays, and a re-run continues after it.
 */
export async function replay<D extends MappableDevice>(plans: readonly DevicePlan<D>[], deps: ReplayDeps<D>): Promise<ReplayResult> {
  const total = plans.reduce((n, p) => n + p.versions.length, 0);
  const run: Run<D> = { deps, skips: new SkipLog(), progress: { done: 0, total, committed: 0 } };
  const cursors = plans.map(newCursor);
  // Ready devices by the time of their next version: the oldest waiting version goes first.
  const ready = new MinHeap<Cursor<D>>((a, b) => {
    const va = a.plan.versions[a.next]!.version;
    const vb = b.plan.versions[b.next]!.version;
    return va.time - vb.time || va.seq - vb.seq;
  });
  for (const c of cursors) if (c.plan.versions.length > 0) ready.push(c);
  const width = Math.max(1, Math.min(deps.concurrency, plans.length));
  await drain(ready, width, async (c) => {
    await replayVersion(run, c);
    if (c.next < c.plan.versions.length) return true;
    if (c.last) await deps.finish(c.plan.device, c.last);
    return false;
  });
  return { devices: cursors.map((c) => c.out), skipped: run.skips.list() };
}

/** What every step of one replay shares. */
interface Run<D extends MappableDevice> {
  readonly deps: ReplayDeps<D>;
  readonly skips: SkipLog;
  readonly progress: { done: number; readonly total: number; committed: number };
}

/** Where one device's replay stands. */
interface Cursor<D extends MappableDevice> {
  readonly plan: DevicePlan<D>;
  readonly out: DeviceOutcome;
  /** Index of its next version in `plan.versions`. */
  next: number;
  /** Collected-At (ms) of its newest archived version: undefined until asked, null when it has none. */
  newest: number | null | undefined;
  /** The export of the version archived last, to skip an identical next one. */
  previous: string | null;
  last: LastImported | null;
}

function newCursor<D extends MappableDevice>(plan: DevicePlan<D>): Cursor<D> {
  return {
    plan,
    out: { device: plan.device.id, nodes: plan.files.map((f) => ({ repo: f.file.repo, path: f.file.path })), committed: 0, unchanged: 0, not_newer: 0, skipped: 0, last_commit: null },
    next: 0,
    newest: undefined,
    previous: null,
    last: null,
  };
}

/** Skipped versions counted per device, file and reason, with the first and last of each. */
class SkipLog {
  private readonly skips = new Map<string, VersionSkip>();

  add(device: string, file: NodeFile, v: SourceVersion, reason: SkipReason, detail: string): void {
    const key = `${device}\0${file.file.repo}\0${file.file.path}\0${reason}`;
    const s = this.skips.get(key);
    if (s) {
      s.versions++;
      s.last_commit = v.commit;
      s.last_time = iso(v.time);
      return;
    }
    this.skips.set(key, { device, repo: file.file.repo, path: file.file.path, reason, detail, versions: 1, first_commit: v.commit, first_time: iso(v.time), last_commit: v.commit, last_time: iso(v.time) });
  }

  list(): VersionSkip[] {
    return [...this.skips.values()];
  }
}

/** The next version of one device: skip, dedup or submit; counted in the progress either way. */
async function replayVersion<D extends MappableDevice>(run: Run<D>, c: Cursor<D>): Promise<void> {
  const { deps, progress } = run;
  const { file, version } = c.plan.versions[c.next++]!;
  const device = c.plan.device;
  const at = version.time * 1000;
  try {
    if (c.newest === undefined) c.newest = await deps.newestArchivedMs(device);
    if (c.newest !== null && at <= c.newest) {
      c.out.not_newer++;
      return;
    }
    const got = deps.extract(await deps.read(file, version));
    if (!got.ok) {
      c.out.skipped++;
      run.skips.add(device.id, file, version, got.reason, got.detail);
      return;
    }
    if (got.text === c.previous) {
      c.out.unchanged++;
      return;
    }
    const r = await submitVersion(run, c, file, version, got.text);
    if (r) recordSubmitted(run, c, got.text, at, r);
  } finally {
    progress.done++;
    deps.onProgress?.({ ...progress });
  }
}

/** Archive one export; null when the archive refused the export itself (counted as a skip). */
async function submitVersion<D extends MappableDevice>(run: Run<D>, c: Cursor<D>, file: NodeFile, version: SourceVersion, text: string): Promise<Submitted | null> {
  try {
    return await run.deps.submit(c.plan.device, text, version.time * 1000);
  } catch (raw) {
    const err = asRosarchiveError(raw);
    // Only what is wrong with this export is a skip; anything else stops the run.
    if (err.code !== "invalid_output") throw err;
    c.out.skipped++;
    run.skips.add(c.plan.device.id, file, version, "invalid_output", err.message);
    return null;
  }
}

/** The device's outcome and newest version after archiving `text` (collected at `at` ms). */
function recordSubmitted<D extends MappableDevice>(run: Run<D>, c: Cursor<D>, text: string, at: number, r: Submitted): void {
  c.previous = text;
  c.newest = at;
  if (r.changed) {
    c.out.committed++;
    run.progress.committed++;
  } else c.out.unchanged++;
  c.out.last_commit = r.commit;
  c.last = { collectedAtMs: at, commit: r.commit, version: r.version, changed: r.changed && r.commit ? { commit: r.commit, collectedAtMs: at } : (c.last?.changed ?? null) };
}

/**
 * Runs `work` on the items of `ready`, `width` at a time; an item `work`
 * answers true for goes back into `ready`. A worker with nothing ready waits
 * while others are busy (they may put an item back). The first error stops
 * every worker after its current item, and is thrown.
 */
async function drain<T>(ready: MinHeap<T>, width: number, work: (item: T) => Promise<boolean>): Promise<void> {
  let busy = 0;
  let failure: unknown = null;
  let waiting: Array<() => void> = [];
  const worker = async (): Promise<void> => {
    while (failure === null) {
      const c = ready.pop();
      if (!c) {
        if (busy === 0) return;
        await new Promise<void>((r) => waiting.push(r));
        continue;
      }
      busy++;
      try {
        if (await work(c)) ready.push(c);
      } catch (err) {
        failure ??= err;
      } finally {
        busy--;
        const woken = waiting;
        waiting = [];
        for (const w of woken) w();
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  if (failure !== null) throw failure;
}

/** A binary min-heap: the ready devices, ordered by their next version's time. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}

  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (this.less(a[i]!, a[up]!) >= 0) break;
      [a[i], a[up]] = [a[up]!, a[i]!];
      i = up;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const end = a.pop()!;
    if (a.length > 0) {
      a[0] = end;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
