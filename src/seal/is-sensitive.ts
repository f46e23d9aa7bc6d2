import type { SensitiveParam } from "../common/index.js";

/** A catalog compiled once (it is frozen data): lookups by name and a line prefilter. */
export interface SensitiveMatcher {
  /** False only when no token of `line` can be sensitive: the tokenizer can skip it. */
  mayHold(line: string): boolean;
  test(menu: string | null, name: string): boolean;
}

const matchers = new WeakMap<readonly SensitiveParam[], SensitiveMatcher>();

const lastComponent = (name: string): string => name.slice(name.lastIndexOf(".") + 1);
const escapeRegExp = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

function matches(list: readonly SensitiveParam[] | undefined, menu: string | null): boolean {
  if (!list) return false;
  for (const p of list) {
    if (!p.menus || (menu !== null && p.menus.includes(menu))) return true;
  }
  return false;
}

/** The compiled form of a catalog, cached per catalog array. */
export function sensitiveMatcher(params: readonly SensitiveParam[]): SensitiveMatcher {
  const cached = matchers.get(params);
  if (cached) return cached;
  const byName = new Map<string, SensitiveParam[]>();
  for (const p of params) {
    const list = byName.get(p.name);
    if (list) list.push(p);
    else byName.set(p.name, [p]);
  }
  // Any sensitive token, shorthand or not, prints `<last component of a catalog name>=`
  // in its line; an alternation of literals finds that in one pass, so the
  // tokenizer runs only on the few lines that may hold a secret (seal hot path).
  const literals = [...new Set(params.map((p) => lastComponent(p.name)).filter((n) => n !== ""))];
  const prefilter = literals.length ? new RegExp(`(?:${literals.map(escapeRegExp).join("|")})=`) : null;
  const matcher: SensitiveMatcher = {
    mayHold: (line) => prefilter !== null && prefilter.test(line),
    test(menu, name) {
      if (matches(byName.get(name), menu)) return true;
      const dot = name.lastIndexOf(".");
      return dot >= 0 && matches(byName.get(name.slice(dot + 1)), menu);
    },
  };
  matchers.set(params, matcher);
  return matcher;
}

/**
 * SPEC §6: is `name` (as printed, dotted shorthand expanded) sensitive under
 * `menu`? Whole names only, so `always-allow-password-login` or `public-key`
 * never match `password` or `private-key`. A dotted name matches on its full
 * name or its last component (`security.passphrase` → `passphrase`). An entry
 * with `menus` matches only under those exact menu paths.
 */
export function isSensitive(menu: string | null, name: string, params: readonly SensitiveParam[]): boolean {
  return sensitiveMatcher(params).test(menu, name);
}
