import type { SealRules } from "./seal-rules.js";

/** One sealed (or sealable) value of a line: its span in the line and the name it is sealed under. */
export interface SealTarget {
  readonly start: number;
  readonly end: number;
  /** The parameter, with the script parameters it stands in: `password`, `source>password`, `on-event>:local apiToken`. */
  readonly name: string;
  /** True when the value stands inside a script (its line's index keys hash the blanked line). */
  readonly inScript: boolean;
}

/**
 * Decides, at a position the sealer may seal, whether the value there is
 * sealed. `raw` is the value as it stands at that level (inside a script:
 * decoded once per script level); `secret` is the catalog's verdict.
 *
 * The sealer seals `secret` values and every value that starts with `age:`
 * (so a device that prints someone's ciphertext gets it sealed again, never
 * opened); the unsealer opens exactly the `age:` tokens. Both walk the same
 * positions with this one function, so decrypt opens what seal sealed and
 * nothing else.
 */
export type SealHere = (raw: string, secret: boolean) => boolean;

/** Scripts nest (a scheduler's script adding a script); past this depth a script value is sealed whole. */
export const MAX_SCRIPT_DEPTH = 8;

const QUOTE = 0x22;
/** A script value that is computed, not written: `$var`, `[command]`, `(expression)`, `{block}`. */
const isComputed = (raw: string): boolean => {
  const c = raw.charCodeAt(0);
  return c === 0x24 || c === 0x5b || c === 0x28 || c === 0x7b;
};
const isGroup = (raw: string): boolean => {
  const c = raw.charCodeAt(0);
  return c === 0x5b || c === 0x28 || c === 0x7b || (c === 0x24 && raw.length > 1 && (raw.charCodeAt(1) === 0x5b || raw.charCodeAt(1) === 0x28));
};

/**
 * Every position of one command line (normalized, no line break) that the
 * sealer may seal, in line order, with `here` deciding which are sealed:
 *
 * - a catalogued parameter (`password=`, `cak=`);
 * - the value of an env-like menu whose key names a secret (`/container envs`
 *   `key=DB_PASSWORD value=...`), or that has no key on its line;
 * - a script-bearing parameter (`source=`, `on-event=`...): sealed whole
 *   when the platform says so (operator policy, or nested past
 *   `MAX_SCRIPT_DEPTH`), otherwise read as a script, in which these are
 *   sealed in place, escapes and all:
 *   - catalogued parameters of its commands (`/tool fetch password=...`),
 *     unless computed (`password=$pw`, `password=[...]`);
 *   - env-like values, as above;
 *   - shaped parameters (`url=`, `http-header-field=`...) whose value looks
 *     like a secret;
 *   - a variable's value (`:local apiToken "..."`) when its name holds a
 *     secret word or the value looks like a secret;
 *   - nested script-bearing parameters, read the same way.
 */
export function sealTargets(line: string, menu: string | null, rules: SealRules, here: SealHere): SealTarget[] {
  const { platform } = rules;
  const tokens = platform.valueTokens(line);
  const out: SealTarget[] = [];
  for (const t of tokens) {
    if (rules.sensitive.test(menu, t.name)) {
      if (here(t.raw, true)) out.push({ start: t.start, end: t.end, name: t.name, inScript: false });
      continue;
    }
    const keyed = rules.keyed(menu, t.name);
    if (keyed) {
      const key = tokens.find((k) => k.name === keyed.keyParam);
      const secret = !key || rules.secretName(platform.decodeValue(key.raw).text);
      if (here(t.raw, secret)) out.push({ start: t.start, end: t.end, name: t.name, inScript: false });
      continue;
    }
    if (!rules.scripts.test(menu, t.name)) continue;
    if (here(t.raw, platform.sealWholeScripts)) {
      out.push({ start: t.start, end: t.end, name: t.name, inScript: false });
      continue;
    }
    scriptTargets(rules, t.raw, (k) => t.start + k, t.name, 1, here, out);
  }
  return out.sort((a, b) => a.start - b.start);
}

/**
 * The positions inside one script value. `raw` is the value as printed at
 * its level; `toLine` maps an offset in `raw` to an offset in the line.
 */
function scriptTargets(rules: SealRules, raw: string, toLine: (k: number) => number, path: string, depth: number, here: SealHere, out: SealTarget[]): void {
  const { platform } = rules;
  const decoded = platform.decodeValue(raw);
  const script = decoded.text;
  if (script.length === 0) return;
  const lineAt = (k: number): number => toLine(decoded.at[k]!);
  /** Sealed values that hold commands of their own (`{...}` under a whole-script policy): their commands are sealed with them. */
  const sealedGroups: Array<readonly [number, number]> = [];
  const inSealedGroup = (start: number): boolean => sealedGroups.some(([s, e]) => start >= s && start < e);
  const literal = (v: string): string => (v.charCodeAt(0) === QUOTE ? platform.decodeValue(v).text : v);

  for (const cmd of platform.scriptCommands(script)) {
    for (const tok of cmd.tokens) {
      if (inSealedGroup(tok.start)) continue;
      const v = script.slice(tok.start, tok.end);
      let secret: boolean;
      let nested = false;
      if (tok.kind === "variable") {
        secret = !isComputed(v) && (rules.secretName(tok.name) || rules.secretValue(literal(v)));
      } else if (rules.sensitive.test(cmd.menu, tok.name)) {
        secret = !isComputed(v);
      } else if (rules.keyed(cmd.menu, tok.name)) {
        const key = cmd.tokens.find((k) => k.kind === "param" && k.name === rules.keyed(cmd.menu, tok.name)!.keyParam);
        secret = !isComputed(v) && (!key || rules.secretName(literal(script.slice(key.start, key.end))));
      } else if (rules.scripts.test(cmd.menu, tok.name)) {
        secret = platform.sealWholeScripts || depth >= MAX_SCRIPT_DEPTH;
        nested = true;
      } else if (rules.shaped(tok.name)) {
        secret = !isComputed(v) && rules.secretValue(literal(v));
      } else {
        continue;
      }
      const name = `${path}>${tok.kind === "variable" ? `:${tok.name}` : tok.name}`;
      if (here(v, secret)) {
        out.push({ start: lineAt(tok.start), end: lineAt(tok.end), name, inScript: true });
        if (isGroup(v)) sealedGroups.push([tok.start, tok.end]);
        continue;
      }
      // A nested script in a string is read one level deeper; a `{...}` one is already among these commands.
      if (nested && v.charCodeAt(0) === QUOTE) scriptTargets(rules, v, (k) => lineAt(tok.start + k), name, depth + 1, here, out);
    }
  }
}
