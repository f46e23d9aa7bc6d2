import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { policyListSchema, type RawIgnoreRule, type RawPolicyCheck } from "./policy-schema.js";
import type { IgnoreRule, PolicyCheck } from "./types.js";

export interface Problem {
  readonly path: string;
  readonly message: string;
}

/**
 * A tenant's policy checks: those written in the config, then those of its
 * `policy_file` (a YAML list of checks in the same form, relative to the
 * config's folder, read again on every reload). Names are unique per tenant.
 */
export function resolvePolicy(tenant: string, raw: { policy: readonly RawPolicyCheck[]; policy_file?: string | undefined }, baseDir: string, problems: Problem[]): PolicyCheck[] {
  const where = `tenants.${tenant}`;
  const checks = raw.policy.map((c, i) => ({ check: c, at: `${where}.policy[${i}]` }));
  if (raw.policy_file !== undefined) {
    const file = path.resolve(baseDir, raw.policy_file);
    const loaded = readPolicyFile(file, `${where}.policy_file`, problems);
    loaded.forEach((c, i) => checks.push({ check: c, at: `${where}.policy_file[${i}]` }));
  }
  const seen = new Map<string, string>();
  const out: PolicyCheck[] = [];
  for (const { check, at } of checks) {
    const first = seen.get(check.name);
    if (first) problems.push({ path: `${at}.name`, message: `duplicate check name "${check.name}" (also ${first}); names are unique per tenant` });
    seen.set(check.name, at);
    out.push(policyCheck(check));
  }
  return out;
}

function readPolicyFile(file: string, where: string, problems: Problem[]): RawPolicyCheck[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    problems.push({ path: where, message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return [];
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    problems.push({ path: where, message: `${file}: ${doc.errors[0]!.message.split("\n")[0]}` });
    return [];
  }
  const parsed = policyListSchema.safeParse(doc.toJS({ maxAliasCount: 100 }) ?? []);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const k of keys) problems.push({ path: `${where}${keyPathOf(k)}`, message: `${issue.code === "unrecognized_keys" ? "unknown key" : issue.message} (in ${file})` });
    }
    return [];
  }
  return parsed.data;
}

/** `[2].must_contain[0]`: the key path inside the file, appended to where the file is named. */
function keyPathOf(parts: readonly PropertyKey[]): string {
  return parts.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}

function policyCheck(c: RawPolicyCheck): PolicyCheck {
  const section = c.section ?? null;
  const mustContain = c.must_contain ?? [];
  const mustNotContain = c.must_not_contain ?? [];
  return {
    name: c.name,
    severity: c.severity,
    description: c.description ?? null,
    scope: { groups: c.scope?.groups ?? null, sites: c.scope?.sites ?? null, devices: c.scope?.devices ?? null },
    section,
    mustContain,
    mustNotContain,
    // What decides pass or fail; a change of severity, scope or description keeps the results.
    fingerprint: createHash("sha256").update(JSON.stringify([section, mustContain, mustNotContain])).digest("hex").slice(0, 16),
  };
}

/** The compare ignore list: the global rules, then the tenant's. */
export function resolveIgnore(global: readonly RawIgnoreRule[], tenant: readonly RawIgnoreRule[]): IgnoreRule[] {
  return [...global, ...tenant].map((r) => (typeof r === "string" ? { pattern: r, section: null } : { pattern: r.pattern, section: r.section ?? null }));
}
