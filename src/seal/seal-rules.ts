import type { KeyedSecret, Platform, SensitiveParam } from "../common/index.js";
import { sensitiveMatcher, type SensitiveMatcher } from "./is-sensitive.js";

/** A platform's sealing knowledge, compiled once per platform object (platforms are frozen data). */
export interface SealRules {
  readonly platform: Platform;
  /** The catalog: names whose values are always sealed. */
  readonly sensitive: SensitiveMatcher;
  /** Every name that can start a sealed position on a line: catalog, script-bearing, keyed values. */
  readonly prefilter: SensitiveMatcher;
  readonly scripts: SensitiveMatcher;
  keyed(menu: string | null, name: string): KeyedSecret | null;
  shaped(name: string): boolean;
  /** A key or variable name holding a secret word. */
  secretName(name: string): boolean;
  /** A script literal with a secret's shape, or a secret word followed by `=` or `:`. */
  secretValue(text: string): boolean;
}

const cache = new WeakMap<Platform, SealRules>();

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function sealRules(platform: Platform): SealRules {
  const known = cache.get(platform);
  if (known) return known;
  const asParams = (list: ReadonlyArray<{ name: string; menus?: readonly string[] }>): SensitiveParam[] =>
    list.map((p) => ({ name: p.name, ...(p.menus && { menus: p.menus }), reason: "" }));
  const keyedValues = platform.keyedSecrets.map((k) => ({ name: k.valueParam, menus: k.menus }));
  const words = platform.secretWords.map((w) => w.toUpperCase());
  const shaped = new Set(platform.shapedParams.map((p) => p.name));
  // `token=`, `"password":`, `X-Api-Key:`, `Authorization:`: a word, up to 32 more name characters, then `=` or `:`.
  const assignment = words.length > 0 ? new RegExp(`(?:${words.map(escapeRegExp).join("|")})[A-Za-z0-9_-]{0,32}["']?\\s{0,4}[:=]`, "i") : null;
  const rules: SealRules = {
    platform,
    sensitive: sensitiveMatcher(platform.sensitiveParams),
    prefilter: sensitiveMatcher([...platform.sensitiveParams, ...asParams(platform.scriptParams), ...asParams(keyedValues)]),
    scripts: sensitiveMatcher(asParams(platform.scriptParams)),
    keyed(menu, name) {
      if (menu === null) return null;
      for (const k of platform.keyedSecrets) if (k.valueParam === name && k.menus.includes(menu)) return k;
      return null;
    },
    shaped: (name) => shaped.has(name),
    secretName(name) {
      const upper = name.toUpperCase();
      return words.some((w) => upper.includes(w));
    },
    secretValue(text) {
      return platform.secretShapes.some((s) => s.pattern.test(text)) || (assignment !== null && assignment.test(text));
    },
  };
  cache.set(platform, rules);
  return rules;
}
