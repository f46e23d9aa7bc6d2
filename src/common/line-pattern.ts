import { badParameter } from "./errors.js";

/**
 * Line patterns: what a search, a policy check or a compare ignore list
 * matches against the archived lines. `fixed` is a plain substring; `regex`
 * is a POSIX extended regular expression as `git grep -E` reads it (glibc's
 * regcomp in git's C locale), never a JavaScript or PCRE one: git runs it, in
 * its own process with a time limit, so no pattern runs on the event loop.
 *
 * The check below is a parser of that dialect. It refuses what git would
 * refuse (unbalanced groups, a dangling repetition) with a sentence instead
 * of git's exit 128, and what git would read differently from what the user
 * meant: PCRE-only syntax (`\d`, `(?:`, `+?`) that ERE takes as literals or
 * rejects, and backreferences (`\1`), which turn glibc's matcher into a
 * backtracking one. Shapes known for blow-ups (a group repeated without bound that
 * holds a repetition, stacked repetitions, large counted repetitions, long
 * alternations, deep nesting, long patterns) are refused too. That is not the
 * bound: glibc's matcher is quadratic in the line length even for `a+z`
 * (measured: 7 s on one 50,000-character line), so the bound is the git
 * process's time limit; the check only keeps the common mistakes and the
 * famous hostile shapes from reaching it.
 */
export type LinePatternKind = "fixed" | "regex";

/** Longest pattern accepted (characters). */
export const LINE_PATTERN_MAX = 512;
/** At most this many alternatives (`a|b|c` is 3) in one regular expression. */
export const MAX_ALTERNATIVES = 64;
/** Groups nested at most this deep. */
export const MAX_GROUP_DEPTH = 16;
/** Largest bound of a counted repetition (`{m,n}`). */
export const MAX_REPEAT = 255;

const CONTROL = /[\u0000-\u001f\u007f]/;
/** Escapes PCRE (and JavaScript) give a meaning that glibc's ERE does not. */
const PCRE_ESCAPES = new Set([..."dDhHvVpPxXuUNKRAzZGQEeaftnr0cgko"]);
/** GNU extensions glibc's ERE supports: word and space classes, word boundaries, buffer anchors. */
const GNU_ESCAPES = new Set([..."wWsSbB<>`'"]);
const CLASSES = new Set(["alpha", "digit", "alnum", "upper", "lower", "space", "blank", "punct", "print", "graph", "cntrl", "xdigit"]);

interface Atom {
  /** Already followed by a repetition. */
  quantified: boolean;
  /** A group whose body holds a repetition. */
  holdsRepetition: boolean;
}

/**
 * Why `pattern` cannot be used as a line pattern of `kind`, as a sentence
 * saying what to change; null when it can.
 */
export function linePatternProblem(pattern: string, kind: LinePatternKind): string | null {
  if (pattern.length === 0) return "is empty";
  if (pattern.length > LINE_PATTERN_MAX) return `is ${pattern.length} characters long; at most ${LINE_PATTERN_MAX} are accepted`;
  if (CONTROL.test(pattern)) return "holds a line break or another control character; a pattern matches within one line";
  if (kind === "fixed") return null;
  return ereProblem(pattern);
}

/** `linePatternProblem`, as a `bad_parameter` error naming `param`. */
export function checkLinePattern(param: string, pattern: string, kind: LinePatternKind): string {
  const problem = linePatternProblem(pattern, kind);
  if (problem) throw badParameter(param, problem);
  return pattern;
}

function ereProblem(p: string): string | null {
  const groups: Array<{ holdsRepetition: boolean }> = [];
  let alternatives = 1;
  let last: Atom | null = null;
  /** `unbounded`: `*`, `+` or `{m,}`; a group repeated at most a bounded number of times may hold repetitions. */
  const repeat = (what: string, unbounded: boolean): string | null => {
    if (last === null) return `${what} at the start of a pattern, group or alternative repeats nothing; write \\${what[0]} for the character itself`;
    if (last.quantified) return `${what} follows another repetition; lazy and possessive forms (+?, *+) are PCRE syntax, not git's extended regular expressions`;
    if (unbounded && last.holdsRepetition) return `a repeated group holds a repetition itself (as in (a+)+): a known hostile shape; rewrite it without the nesting`;
    last.quantified = true;
    for (const g of groups) g.holdsRepetition = true;
    return null;
  };
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\") {
      const n = p[i + 1];
      if (n === undefined) return "ends with a lone backslash";
      i++;
      if (/[1-9]/.test(n)) return `\\${n} is a backreference: not accepted (it makes git's matcher backtrack); repeat the text instead`;
      if (PCRE_ESCAPES.has(n)) return `\\${n} is PCRE or JavaScript syntax, not git's extended regular expressions; use a bracket expression such as [0-9] or [[:space:]]`;
      if (/[A-Za-z]/.test(n) && !GNU_ESCAPES.has(n)) return `\\${n} is not an escape git's extended regular expressions know`;
      last = /[bB<>`']/.test(n) ? null : { quantified: false, holdsRepetition: false };
      continue;
    }
    if (c === "[") {
      const end = bracketEnd(p, i);
      if (typeof end === "string") return end;
      i = end;
      last = { quantified: false, holdsRepetition: false };
      continue;
    }
    if (c === "(") {
      if (p[i + 1] === "?") return "(? starts a PCRE group ((?:, (?=, (?i)...), not git's extended regular expressions; use a plain ( group";
      groups.push({ holdsRepetition: false });
      if (groups.length > MAX_GROUP_DEPTH) return `nests groups more than ${MAX_GROUP_DEPTH} deep`;
      last = null;
      continue;
    }
    if (c === ")") {
      const g = groups.pop();
      if (!g) return "has a ) without its (; write \\) for the character itself";
      last = { quantified: false, holdsRepetition: g.holdsRepetition };
      continue;
    }
    if (c === "|") {
      alternatives++;
      if (alternatives > MAX_ALTERNATIVES) return `has more than ${MAX_ALTERNATIVES} alternatives; split it into several patterns`;
      last = null;
      continue;
    }
    if (c === "*" || c === "+" || c === "?") {
      const problem = repeat(c, c !== "?");
      if (problem) return problem;
      continue;
    }
    if (c === "{") {
      const m = /^\{([0-9]{1,4})(,([0-9]{0,4}))?\}/.exec(p.slice(i));
      if (!m) return "has a { that does not start a counted repetition like {2} or {1,3}; write \\{ for the character itself";
      const min = Number(m[1]);
      const max = m[2] === undefined || m[3] === "" ? min : Number(m[3]);
      if (min > MAX_REPEAT || max > MAX_REPEAT) return `counts a repetition above ${MAX_REPEAT}`;
      if (max < min) return `has a repetition {${min},${max}} whose maximum is below its minimum`;
      const problem = repeat(m[0], m[2] !== undefined && m[3] === "");
      if (problem) return problem;
      i += m[0].length - 1;
      continue;
    }
    if (c === "^" || c === "$") {
      last = null;
      continue;
    }
    last = { quantified: false, holdsRepetition: false };
  }
  if (groups.length > 0) return "has a ( without its ); write \\( for the character itself";
  return null;
}

/** Index of the `]` closing the bracket expression opened at `start`, or a problem. */
function bracketEnd(p: string, start: number): number | string {
  let i = start + 1;
  if (p[i] === "^") i++;
  if (p[i] === "]") i++; // a leading ] is a member
  for (; i < p.length; i++) {
    const c = p[i];
    if (c === "]") return i;
    if (c === "[" && (p[i + 1] === ":" || p[i + 1] === "." || p[i + 1] === "=")) {
      const kind = p[i + 1]!;
      const close = p.indexOf(`${kind}]`, i + 2);
      if (close < 0) return `has an unterminated [${kind} in a bracket expression`;
      const name = p.slice(i + 2, close);
      if (kind === ":" && !CLASSES.has(name)) return `[:${name}:] is not a character class; known: ${[...CLASSES].join(", ")}`;
      i = close + 1;
    }
  }
  return "has a [ without its ]; write \\[ for the character itself";
}
