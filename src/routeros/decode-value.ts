import type { DecodedValue } from "../common/index.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** RouterOS string escapes with one-letter names (`\n`, `\_` for a space...); any other escaped character stands for itself. */
const NAMED: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b", f: "\f", v: "\v", _: " " };

const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * A value token as RouterOS prints it, decoded one level: a double-quoted
 * string loses its quotes and escapes (`\"`, `\\`, `\$`, `\?`, `\_`, `\r`,
 * `\n`, `\t`, and `\D0\9F`: a byte in hex, decoded to the character of that
 * code so a script's structure can be read); a bare word is its own text.
 *
 * `at` maps every decoded character back to where its escape starts in the
 * token, so a span of decoded text is a span of whole escapes in the token:
 * replacing it never cuts an escape in two. An unterminated string runs to
 * the end of the token.
 */
export function decodeValue(raw: string): DecodedValue {
  const n = raw.length;
  if (n === 0 || raw.charCodeAt(0) !== QUOTE) {
    const at = new Array<number>(n + 1);
    for (let i = 0; i <= n; i++) at[i] = i;
    return { text: raw, at };
  }
  let text = "";
  const at: number[] = [];
  let i = 1;
  while (i < n) {
    const c = raw.charCodeAt(i);
    if (c === QUOTE) break;
    at.push(i);
    if (c !== BACKSLASH || i + 1 >= n) {
      text += raw[i];
      i++;
      continue;
    }
    const d = raw[i + 1]!;
    if (i + 2 < n && isHex(raw.charCodeAt(i + 1)) && isHex(raw.charCodeAt(i + 2))) {
      text += String.fromCharCode(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      text += NAMED[d] ?? d;
      i += 2;
    }
  }
  at.push(Math.min(i, n));
  return { text, at };
}
