import { grepLines, rfc3339, runGit, sectionsOfLines, splitLines, type RepoRegistry, type TenantRepo } from "../archive/index.js";
import type { ConfigSource, DeviceConfig, PolicyCheck, TenantConfig } from "../config/index.js";
import { policyEvent, type EventSink } from "../notify/index.js";
import type { Logger } from "../observe/index.js";
import { evaluateCheck, type CheckResult, type LineHit } from "./evaluate.js";
import type { DeviceResults, PolicyStore } from "./policy-store.js";
import { checksFor } from "./scope.js";

export interface PolicyRunnerOptions {
  readonly config: ConfigSource;
  readonly repos: RepoRegistry;
  readonly store: PolicyStore;
  /** The outbox: policy events go where every event goes (webhooks, hooks, SSE). */
  readonly events: EventSink;
  readonly log: Logger;
  readonly clock: () => number;
  readonly ids: () => string;
  readonly sectionOf: (line: string) => string | null;
  /** Time limit of one pattern's git grep over the devices evaluated together. */
  readonly timeoutMs?: number;
}

/** What one evaluation round did, for the API, the CLI and the log. */
export interface PolicyRunSummary {
  readonly tenant: string;
  /** The commit of main the files were read at (null: nothing archived yet). */
  readonly commit: string | null;
  readonly devices: number;
  readonly passing: number;
  readonly failing: number;
  readonly errors: number;
  readonly violated: number;
  readonly resolved: number;
}

/** Devices evaluated together, at most (one git grep per pattern over all of them). */
const BATCH = 1000;
const DEFAULT_TIMEOUT_MS = 60_000;

interface TenantQueue {
  chain: Promise<unknown>;
  /** Devices whose new commit waits for an evaluation (coalesced: one entry per device). */
  pending: Set<string>;
  scheduled: boolean;
}

/**
 * Evaluates the policy checks of a tenant against each device's newest
 * archived (sealed) file, keeps the results per device and emits
 * `policy.violated` / `policy.resolved` on every change, through the outbox
 * like every event. One queue per tenant: after a commit the device waits
 * there (several commits of one device while it waits are evaluated once,
 * against the newest); a fleet run goes through the same queue. Patterns run
 * in `git grep -E` (one process per pattern for all the devices of a round,
 * with a time limit), never on the event loop. Nothing here can fail a
 * backup: `committed` only queues.
 */
export class PolicyRunner {
  private readonly queues = new Map<string, TenantQueue>();

  constructor(private readonly opts: PolicyRunnerOptions) {}

  private queue(tenant: string): TenantQueue {
    let q = this.queues.get(tenant);
    if (!q) this.queues.set(tenant, (q = { chain: Promise.resolve(), pending: new Set(), scheduled: false }));
    return q;
  }

  private enqueue<T>(tenant: string, work: () => Promise<T>): Promise<T> {
    const q = this.queue(tenant);
    const run = q.chain.then(work);
    q.chain = run.catch(() => undefined);
    return run;
  }

  /** A new snapshot of `device` is durable (commit and its event): evaluate it soon. Never throws. */
  committed(device: DeviceConfig): void {
    const tenant = this.opts.config().tenants.get(device.tenant);
    if (!tenant || tenant.policy.length === 0) return;
    const q = this.queue(device.tenant);
    q.pending.add(device.id);
    if (q.scheduled) return;
    q.scheduled = true;
    void this.enqueue(device.tenant, async () => {
      q.scheduled = false;
      const ids = [...q.pending];
      q.pending.clear();
      for (let i = 0; i < ids.length; i += BATCH) await this.evaluate(device.tenant, ids.slice(i, i + BATCH), true);
    }).catch((err) => this.opts.log.error({ event: "policy.failed", tenant: device.tenant, msg: (err as Error).message }));
  }

  /** Every device of the tenant now (on demand): resolves when all are evaluated. */
  run(tenant: string): Promise<PolicyRunSummary> {
    return this.enqueue(tenant, () => this.evaluateAll(tenant, true));
  }

  /**
   * Only the devices whose results are stale: a newer snapshot than the one
   * evaluated, a check added or changed, a device come into scope (at start,
   * after a crash between a commit and its evaluation, after a reload).
   */
  reconcile(tenant: string): Promise<PolicyRunSummary> {
    return this.enqueue(tenant, () => this.evaluateAll(tenant, false));
  }

  /** Resolves when every queued evaluation has finished. */
  async idle(): Promise<void> {
    for (;;) {
      const chains = [...this.queues.values()].map((q) => q.chain);
      await Promise.all(chains);
      if ([...this.queues.values()].every((q, i) => q.chain === chains[i] && !q.scheduled)) return;
    }
  }

  private async evaluateAll(tenant: string, force: boolean): Promise<PolicyRunSummary> {
    const t = this.opts.config().tenants.get(tenant);
    const ids = t ? t.devices.map((d) => d.id) : [];
    let total = emptySummary(tenant);
    for (let i = 0; i < ids.length; i += BATCH) total = addSummary(total, await this.evaluate(tenant, ids.slice(i, i + BATCH), force));
    if (force || total.devices > 0) this.opts.log.info({ event: "policy.evaluated", ...total });
    return total;
  }

  /** One round: the named devices at the tip of main. */
  private async evaluate(tenantId: string, deviceIds: readonly string[], force: boolean): Promise<PolicyRunSummary> {
    const summary = emptySummary(tenantId);
    const tenant = this.opts.config().tenants.get(tenantId);
    if (!tenant) return summary;
    const repo = await this.opts.repos.get(tenantId);
    const head = await repo.paths.tip();
    if (!head) return summary;
    const present = await filesAt(repo, head, deviceIds.map((id) => tenant.deviceById.get(id)?.path).filter((p): p is string => p !== undefined));

    // Who is evaluated, with which checks, at which snapshot.
    const work: Array<{ device: DeviceConfig; checks: PolicyCheck[]; commit: string; previous: DeviceResults | null }> = [];
    for (const id of deviceIds) {
      const device = tenant.deviceById.get(id);
      if (!device) continue;
      const checks = checksFor(tenant.policy, device);
      const previous = await this.opts.store.get(tenantId, id);
      const commit = await repo.paths.latest(device.path);
      if (checks.length === 0 || !commit || !present.has(device.path)) {
        // Out of every scope, never archived, or its file removed: no result.
        if (previous) await this.opts.store.remove(tenantId, id);
        continue;
      }
      if (!force && previous && isCurrent(previous, checks, commit)) continue;
      work.push({ device, checks, commit, previous });
    }
    if (work.length === 0) return { ...summary, commit: head };

    // One git grep per pattern over the files of every device that uses it.
    const patterns = new Map<string, { paths: Set<string>; all: boolean }>();
    for (const w of work) {
      for (const c of w.checks) {
        for (const p of [...c.mustContain, ...c.mustNotContain]) {
          let e = patterns.get(p);
          if (!e) patterns.set(p, (e = { paths: new Set(), all: false }));
          e.paths.add(w.device.path);
          // Within a section every hit may matter; otherwise the first hit decides.
          if (c.section !== null) e.all = true;
        }
      }
    }
    const hits = new Map<string, Map<string, LineHit[]> | "error">();
    for (const [pattern, e] of patterns) hits.set(pattern, await this.grep(repo, head, pattern, [...e.paths], e.all));

    const now = rfc3339(this.opts.clock());
    for (const w of work) {
      const sections = await this.sectionsIfNeeded(repo, head, w);
      const file = {
        hits: (p: string) => {
          const h = hits.get(p);
          return h === undefined || h === "error" ? ("error" as const) : (h.get(w.device.path) ?? []);
        },
        sectionAt: (n: number) => sections?.[n - 1] ?? "",
      };
      const results: Record<string, CheckResult> = {};
      for (const c of w.checks) results[c.name] = evaluateCheck(c, file);
      const changes = await this.emitChanges(tenant, w.device, w.commit, w.checks, results, w.previous, now);
      await this.opts.store.put(tenantId, { device: w.device.id, commit: w.commit, evaluated_at: now, checks: results });
      summary.devices++;
      summary.violated += changes.violated;
      summary.resolved += changes.resolved;
      for (const r of Object.values(results)) {
        if (r.status === "pass") summary.passing++;
        else if (r.status === "fail") summary.failing++;
        else summary.errors++;
      }
    }
    return { ...summary, commit: head };
  }

  private async grep(repo: TenantRepo, head: string, pattern: string, paths: string[], all: boolean): Promise<Map<string, LineHit[]> | "error"> {
    const byPath = new Map<string, LineHit[]>();
    const prefix = `${head}:`;
    const outcome = await grepLines(repo.gitDir, {
      revs: [head],
      paths: paths.sort(),
      patterns: [pattern],
      kind: "regex",
      ...(!all && { maxPerFile: 1 }),
      timeoutMs: this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxBytes: 512 * 1024 * 1024,
      onHit: (h) => {
        if (!h.name.startsWith(prefix)) return false;
        const p = h.name.slice(prefix.length);
        let list = byPath.get(p);
        if (!list) byPath.set(p, (list = []));
        list.push({ line: h.line, text: h.text });
        return false;
      },
    });
    if (!outcome.complete) {
      this.opts.log.warn({ event: "policy.pattern_stopped", tenant: repo.tenant, why: outcome.timedOut ? "time limit" : "output limit", devices: paths.length });
      return "error";
    }
    return byPath;
  }

  /** The sections of the device's file, read only when a check of it names a section. */
  private async sectionsIfNeeded(repo: TenantRepo, head: string, w: { device: DeviceConfig; checks: PolicyCheck[] }): Promise<string[] | null> {
    if (!w.checks.some((c) => c.section !== null)) return null;
    const blob = await repo.readObject(`${head}:${w.device.path}`);
    return sectionsOfLines(blob?.type === "blob" ? splitLines(blob.body.toString("utf8")) : [], this.opts.sectionOf);
  }

  /**
   * One event per check whose verdict changed: fail after pass or nothing
   * (violated), pass after fail (resolved). Each is in the durable outbox
   * before the results are written, so a crash between them repeats an
   * event rather than losing one.
   */
  private async emitChanges(tenant: TenantConfig, device: DeviceConfig, commit: string, checks: readonly PolicyCheck[], results: Record<string, CheckResult>, previous: DeviceResults | null, time: string): Promise<{ violated: number; resolved: number }> {
    let violated = 0;
    let resolved = 0;
    for (const c of checks) {
      const now = results[c.name]!;
      const before = previous?.checks[c.name]?.status ?? null;
      const kind = now.status === "fail" && before !== "fail" ? "policy.violated" : now.status === "pass" && before === "fail" ? "policy.resolved" : null;
      if (!kind) continue;
      await this.opts.events.emit(
        policyEvent(
          { event: kind, tenant: tenant.id, device: device.id, time, check: c.name, severity: c.severity, commit, line: kind === "policy.violated" ? now.line : null, missing: kind === "policy.violated" ? now.missing : null },
          this.opts.config().publicUrl,
          this.opts.ids,
        ),
      );
      if (kind === "policy.violated") violated++;
      else resolved++;
      this.opts.log.info({ event: kind, tenant: tenant.id, device: device.id, check: c.name, severity: c.severity, commit });
    }
    return { violated, resolved };
  }
}

/** Results made from this snapshot with these very checks. */
function isCurrent(previous: DeviceResults, checks: readonly PolicyCheck[], commit: string): boolean {
  if (previous.commit !== commit) return false;
  if (Object.keys(previous.checks).length !== checks.length) return false;
  return checks.every((c) => previous.checks[c.name]?.fingerprint === c.fingerprint);
}

/** Which of `paths` exist in the tree of `commit` (one `git ls-tree`). */
async function filesAt(repo: TenantRepo, commit: string, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const r = await runGit({ gitDir: repo.gitDir, args: ["ls-tree", "-r", "-z", "--name-only"], revs: [commit], paths: [...paths], env: { GIT_LITERAL_PATHSPECS: "1" } });
  return new Set(r.stdout.toString("utf8").split("\0").filter((p) => p !== ""));
}

type Counts = { -readonly [K in keyof PolicyRunSummary]: PolicyRunSummary[K] };

function emptySummary(tenant: string): Counts {
  return { tenant, commit: null, devices: 0, passing: 0, failing: 0, errors: 0, violated: 0, resolved: 0 };
}

function addSummary(a: PolicyRunSummary, b: PolicyRunSummary): PolicyRunSummary {
  return {
    tenant: a.tenant,
    commit: b.commit ?? a.commit,
    devices: a.devices + b.devices,
    passing: a.passing + b.passing,
    failing: a.failing + b.failing,
    errors: a.errors + b.errors,
    violated: a.violated + b.violated,
    resolved: a.resolved + b.resolved,
  };
}
