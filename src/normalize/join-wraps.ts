import type { Platform } from "../common/index.js";

const isBlank = (c: number) => c === 0x20 || c === 0x09;

/** Whether the line's first non-blank characters are the comment prefix. */
function isComment(line: string, prefix: string): boolean {
  let i = 0;
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  return line.startsWith(prefix, i);
}

/**
 * When the logical line held as `parts` ends in an unescaped `\`, removes that
 * `\` (and any blanks after it) and returns true.
 * An odd run of trailing backslashes ends in an unescaped `\`; an even run is
 * escaped backslashes of the value (`\\`). Blanks after the `\` are ignored, as
 * step 5 strips them anyway and a second pass must not see a new continuation.
 * Works on the pieces from the end, never on their concatenation, so a script
 * wrapped over thousands of lines is joined in linear time.
 */
function dropContinuation(parts: string[]): boolean {
  let p = parts.length - 1;
  let e = parts[p]!.length;
  for (;;) {
    while (e > 0 && isBlank(parts[p]!.charCodeAt(e - 1))) e--;
    if (e > 0 || p === 0) break;
    e = parts[--p]!.length;
  }
  let n = 0;
  let q = p;
  let f = e;
  for (;;) {
    while (f > 0 && parts[q]!.charCodeAt(f - 1) === 0x5c) {
      n++;
      f--;
    }
    if (f > 0 || q === 0) break;
    f = parts[--q]!.length;
  }
  if (n % 2 === 0) return false;
  parts.length = p + 1;
  parts[p] = parts[p]!.slice(0, e - 1);
  return true;
}

/**
 * Normalization step 3: `head\` + newline + `<indent>rest` becomes `headrest`.
 * Continuations chain, so the wrap width of the exporting client does not matter.
 * Comment lines never continue: RouterOS wraps commands only (the 105-column
 * `# ... please restart the device ...` notice stays one line in 80-column
 * exports, and so does the PPTP warning in v7.17.2-chr-verbose-sensitive).
 */
export function joinWraps(lines: readonly string[], platform: Pick<Platform, "wrapIndent" | "commentPrefix">): string[] {
  const indent = platform.wrapIndent;
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i++]!;
    if (isComment(first, platform.commentPrefix)) {
      out.push(first);
      continue;
    }
    const parts = [first];
    while (i < lines.length && lines[i]!.startsWith(indent) && dropContinuation(parts)) {
      parts.push(lines[i++]!.slice(indent.length));
    }
    out.push(parts.length === 1 ? parts[0]! : parts.join(""));
  }
  return out;
}
