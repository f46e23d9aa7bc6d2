import type { ValueToken } from "../common/index.js";

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const HASH = 0x23; // #

const isBlank = (c: number): boolean => c === SPACE || c === TAB;

/** Index just past a double-quoted string opened at `i` (RouterOS escapes: `\"`, `\\`, `\$`, `\E2`...). */
function skipQuoted(line: string, i: number): number {
  const n = line.length;
  i++; // the opening quote
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i++;
  }
  return n; // unterminated: the value runs to the end of the line
}

/**
 * Splits one joined RouterOS command line into its `name=value` tokens, in a
 * single left-to-right scan (no regex, no backtracking: a 20 KB export has
 * hundreds of lines and this runs on every backup).
 *
 * - Values are bare (up to a blank) or double-quoted with backslash escapes
 *   (quoted parts inside a bare value are taken whole); the token keeps
 *   quotes and escapes exactly as printed.
 * - Dotted shorthand (RouterOS v7 `/interface wifi`): a name starting with `.`
 *   continues the prefix of the previous dotted name, so
 *   `security.authentication-types=wpa2-psk .passphrase="x"` yields
 *   `security.passphrase`. A leading `.` with no earlier prefix is dropped.
 * - Tokens inside `[ find ... ]` selectors ARE returned (a selector may name a
 *   sensitive value too, e.g. `/snmp community set [ find name=private ]`);
 *   inside brackets a bare value also ends at `]`.
 * - Comment lines return []. A menu line (`/ip address`) has no `name=value`
 *   and returns []; when a hand-written script puts a command after the path
 *   (`/ppp secret add name=a password=b`) its tokens are returned, so they
 *   are sealed like any other.
 * - Words without `=` (`add`, `set`, `0`, `!flag`, `find`) are skipped.
 */
export function valueTokens(line: string): ValueToken[] {
  const n = line.length;
  const tokens: ValueToken[] = [];
  let i = 0;
  while (i < n && isBlank(line.charCodeAt(i))) i++;
  if (i < n && line.charCodeAt(i) === HASH) return tokens;

  let prefix = ""; // of the last dotted name, e.g. `security`
  let depth = 0; // inside `[ ... ]`
  while (i < n) {
    const c = line.charCodeAt(i);
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === OPEN) {
      depth++;
      i++;
      continue;
    }
    if (c === CLOSE) {
      if (depth > 0) depth--;
      i++;
      continue;
    }
    if (c === QUOTE) {
      i = skipQuoted(line, i); // a quoted word without a name (`:put "x"`)
      continue;
    }

    // A word: its name part runs to `=`, a blank, a quote or a bracket.
    const nameStart = i;
    let d = c;
    while (i < n && !isBlank(d) && d !== EQUALS && d !== QUOTE && d !== OPEN && d !== CLOSE) d = line.charCodeAt(++i);
    if (i >= n || d !== EQUALS || i === nameStart) {
      // Not a `name=value` word: skip the rest of it (quotes inside respected).
      while (i < n) {
        const e = line.charCodeAt(i);
        if (isBlank(e) || (depth > 0 && e === CLOSE)) break;
        i = e === QUOTE ? skipQuoted(line, i) : i + 1;
      }
      continue;
    }

    const rawName = line.slice(nameStart, i);
    i++; // `=`
    const start = i;
    // Bare, or quoted: `"x"y` is one value as RouterOS reads it, so a sealed
    // token put in its place ends where the value ended.
    while (i < n) {
      const e = line.charCodeAt(i);
      if (isBlank(e) || (depth > 0 && e === CLOSE)) break;
      i = e === QUOTE ? skipQuoted(line, i) : i + 1;
    }

    let name = rawName;
    if (rawName.charCodeAt(0) === 0x2e /* . */) name = prefix ? prefix + rawName : rawName.slice(1);
    const dot = name.lastIndexOf(".");
    if (dot > 0) prefix = name.slice(0, dot);
    tokens.push({ name, start, end: i, raw: line.slice(start, i) });
  }
  return tokens;
}
