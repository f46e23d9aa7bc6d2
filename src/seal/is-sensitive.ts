import type { SensitiveParam } from "../common/index.js";

/** A catalog compiled once (it is frozen data): lookups by name and a prefilter at each `=`. */
export interface SensitiveMatcher {
  /**
   * Whether the word that ends at `text[eq]` (an `=`) is the last component of
   * a catalog name sensitive under the menu (asked for only when it matters).
   * False means no token ending there is sensitive: the tokenizer can skip it.
   */
  candidateAt(text: string, eq: number, menu: () => string | null): boolean;
  test(menu: string | null, name: string): boolean;
}

const matchers = new WeakMap<readonly SensitiveParam[], SensitiveMatcher>();

const lastComponent = (name: string): string => name.slice(name.lastIndexOf(".") + 1);
/** Ends a name when read back from its `=`: a blank, a line break, `.` of a dotted name, a quote, a bracket. */
const isNameStop = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2e || c === 0x22 || c === 0x5b || c === 0x5d;
/** A catalog name printed in every menu. */
const EVERYWHERE: ReadonlySet<string> = new Set();

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
  // Any sensitive token, shorthand or not, prints `<last component of a catalog name>=`.
  // Reading back from each `=` and looking that word up (with the menus it is
  // sensitive in) lets the tokenizer skip nearly every line: `name=` is on most
  // lines but is a secret only under /snmp community.
  const menusOf = new Map<string, ReadonlySet<string>>();
  for (const p of params) {
    const word = lastComponent(p.name);
    if (word === "") continue;
    const known = menusOf.get(word);
    if (!p.menus || known === EVERYWHERE) menusOf.set(word, EVERYWHERE);
    else menusOf.set(word, new Set([...(known ?? []), ...p.menus]));
  }
  const longest = Math.max(0, ...[...menusOf.keys()].map((w) => w.length));
  // Most `=` are rejected on the two characters before them, before the word is read back.
  const endings = new Uint8Array(1 << 14);
  const pairOf = (a: number, b: number): number => ((a & 127) << 7) | (b & 127);
  const everyEnding = [...menusOf.keys()].some((w) => w.length < 2);
  for (const w of menusOf.keys()) if (w.length >= 2) endings[pairOf(w.charCodeAt(w.length - 2), w.charCodeAt(w.length - 1))] = 1;
  const candidateAt = (text: string, eq: number, menu: () => string | null): boolean => {
    if (!everyEnding && (eq < 2 || endings[pairOf(text.charCodeAt(eq - 2), text.charCodeAt(eq - 1))] === 0)) return false;
    let start = eq;
    while (start > 0 && eq - start <= longest && !isNameStop(text.charCodeAt(start - 1))) start--;
    const len = eq - start;
    if (len === 0 || len > longest) return false;
    const menus = menusOf.get(text.slice(start, eq));
    if (menus === undefined) return false;
    if (menus === EVERYWHERE) return true;
    const m = menu();
    return m !== null && menus.has(m);
  };
  const matcher: SensitiveMatcher = {
    candidateAt,
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
 * Is `name` (as printed, dotted shorthand expanded) sensitive under
 * `menu`? Whole names only, so `always-allow-password-login` or `public-key`
 * never match `password` or `private-key`. A dotted name matches on its full
 * name or its last component (`security.passphrase` → `passphrase`). An entry
 * with `menus` matches only under those exact menu paths.
 */
export function isSensitive(menu: string | null, name: string, params: readonly SensitiveParam[]): boolean {
  return sensitiveMatcher(params).test(menu, name);
}
