import type { PolicyCheck } from "../config/index.js";

/** What a scope looks at: the device's id, group and (where the config gives one) site. */
export interface PolicyTarget {
  readonly id: string;
  readonly group: string | null;
  readonly site?: string | null;
}

const globs = new Map<string, RegExp>();

/** `edge-*` → /^edge-.*$/: `*` any run of characters, `?` one; every other character is itself. */
export function globToRegExp(glob: string): RegExp {
  let re = globs.get(glob);
  if (!re) {
    const body = [...glob].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.\\^$+()[\]{}|]/g, "\\$&"))).join("");
    re = new RegExp(`^${body}$`);
    if (globs.size > 4096) globs.clear();
    globs.set(glob, re);
  }
  return re;
}

/**
 * Whether a check applies to a device: every list the scope gives must
 * match (groups, sites, device id patterns); within a list, any entry. A
 * device without a group or site is outside a scope that lists groups or
 * sites.
 */
export function inScope(check: PolicyCheck, d: PolicyTarget): boolean {
  const { groups, sites, devices } = check.scope;
  if (groups && (d.group === null || !groups.includes(d.group))) return false;
  if (sites && (d.site === undefined || d.site === null || !sites.includes(d.site))) return false;
  if (devices && !devices.some((g) => globToRegExp(g).test(d.id))) return false;
  return true;
}

/** The checks of `checks` that apply to `d`, in config order. */
export function checksFor(checks: readonly PolicyCheck[], d: PolicyTarget): PolicyCheck[] {
  return checks.filter((c) => inScope(c, d));
}
