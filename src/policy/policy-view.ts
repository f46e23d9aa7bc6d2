import type { DeviceConfig, PolicyCheck, Severity, TenantConfig } from "../config/index.js";
import type { CheckResult } from "./evaluate.js";
import type { DeviceResults, PolicyStore } from "./policy-store.js";
import { checksFor } from "./scope.js";

const RANK: Record<Severity, number> = { info: 1, warning: 2, critical: 3 };

/** A device's policy at a glance (the devices list): null when no check applies to it. */
export interface PolicySummary {
  readonly checks: number;
  readonly passing: number;
  readonly failing: number;
  readonly errors: number;
  /** Checks not evaluated yet with their current definition (a new check, a device never archived). */
  readonly pending: number;
  /** Highest severity among the failing checks, null when none fails. */
  readonly worst: Severity | null;
  readonly failed: ReadonlyArray<{ readonly name: string; readonly severity: Severity }>;
  /** The snapshot the results are of. */
  readonly commit: string | null;
}

/** The result of `check` in `results` when it was made with the check's current definition. */
export function currentResult(check: PolicyCheck, results: DeviceResults | null): CheckResult | null {
  const r = results?.checks[check.name];
  return r && r.fingerprint === check.fingerprint ? r : null;
}

export function policySummary(checks: readonly PolicyCheck[], results: DeviceResults | null): PolicySummary | null {
  if (checks.length === 0) return null;
  let passing = 0;
  let failing = 0;
  let errors = 0;
  let pending = 0;
  let worst: Severity | null = null;
  const failed: Array<{ name: string; severity: Severity }> = [];
  for (const c of checks) {
    const r = currentResult(c, results);
    if (!r) pending++;
    else if (r.status === "pass") passing++;
    else if (r.status === "error") errors++;
    else {
      failing++;
      failed.push({ name: c.name, severity: c.severity });
      if (worst === null || RANK[c.severity] > RANK[worst]) worst = c.severity;
    }
  }
  return { checks: checks.length, passing, failing, errors, pending, worst, failed, commit: results?.commit ?? null };
}

/** The summary of one device from its results file. */
export async function deviceSummary(store: PolicyStore, tenant: TenantConfig, d: DeviceConfig): Promise<PolicySummary | null> {
  const checks = checksFor(tenant.policy, d);
  if (checks.length === 0) return null;
  return policySummary(checks, await store.get(tenant.id, d.id));
}

/** The tenant's checks with their counts, and every device's results (the policy route). */
export async function tenantPolicy(store: PolicyStore, tenant: TenantConfig) {
  const all = await Promise.all(tenant.devices.map(async (d) => ({ d, checks: checksFor(tenant.policy, d), results: await store.get(tenant.id, d.id) })));
  const checks = tenant.policy.map((c) => {
    let devices = 0;
    let passing = 0;
    let failing = 0;
    let errors = 0;
    for (const x of all) {
      if (!x.checks.includes(c)) continue;
      devices++;
      const r = currentResult(c, x.results);
      if (r?.status === "pass") passing++;
      else if (r?.status === "fail") failing++;
      else if (r?.status === "error") errors++;
    }
    return {
      name: c.name,
      severity: c.severity,
      description: c.description,
      scope: c.scope,
      section: c.section,
      must_contain: c.mustContain,
      must_not_contain: c.mustNotContain,
      devices,
      passing,
      failing,
      errors,
      pending: devices - passing - failing - errors,
    };
  });
  const devices = all
    .filter((x) => x.checks.length > 0)
    .map((x) => ({
      device: x.d.id,
      group: x.d.group,
      commit: x.results?.commit ?? null,
      evaluated_at: x.results?.evaluated_at ?? null,
      checks: Object.fromEntries(
        x.checks.map((c) => {
          const r = currentResult(c, x.results);
          return [c.name, r ? { status: r.status, severity: c.severity, line: r.line, missing: r.missing, ...(r.message && { message: r.message }) } : { status: "pending", severity: c.severity, line: null, missing: null }];
        }),
      ),
    }));
  return { tenant: tenant.id, checks, devices };
}

/** Devices failing each check now, per check name (the metric: one series per check, not per device). */
export async function violationCounts(store: PolicyStore, tenant: TenantConfig): Promise<Map<string, number>> {
  const counts = new Map(tenant.policy.map((c) => [c.name, 0]));
  if (tenant.policy.length === 0) return counts;
  for (const d of tenant.devices) {
    const checks = checksFor(tenant.policy, d);
    if (checks.length === 0) continue;
    const results = await store.get(tenant.id, d.id);
    for (const c of checks) if (currentResult(c, results)?.status === "fail") counts.set(c.name, counts.get(c.name)! + 1);
  }
  return counts;
}
