import type { Platform } from "../common/index.js";

/** Count of `\` at the end of `s`, ignoring nothing: the caller strips trailing blanks. */
function trailingBackslashes(s: string): number {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s.charCodeAt(i) === 0x5c; i--) n++;
  return n;
}

/**
 * The line without its continuation `\` when it is a wrapped line's head, else null.
 * An odd run of trailing backslashes ends in an unescaped `\`; an even run is
 * escaped backslashes of the value (`\\`). Blanks after the `\` are ignored, as
 * step 5 strips them anyway and a second pass must not see a new continuation.
 * Comment lines never continue: RouterOS wraps commands only (the long PPTP
 * warning in v7.17.2-chr-verbose-sensitive stays one line).
 */
function continuationHead(line: string, commentPrefix: string): string | null {
  if (line.trimStart().startsWith(commentPrefix)) return null;
  const body = line.replace(/[ \t]+$/, "");
  return trailingBackslashes(body) % 2 === 1 ? body.slice(0, -1) : null;
}

/**
 * SPEC §5 step 3: `head\` + newline + `<indent>rest` becomes `headrest`.
 * Continuations chain, so the wrap width of the exporting client does not matter.
 */
export function joinWraps(lines: readonly string[], platform: Pick<Platform, "wrapIndent" | "commentPrefix">): string[] {
  const indent = platform.wrapIndent;
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    let line = lines[i++]!;
    let head = continuationHead(line, platform.commentPrefix);
    while (head !== null && i < lines.length && lines[i]!.startsWith(indent)) {
      line = head + lines[i++]!.slice(indent.length);
      head = continuationHead(line, platform.commentPrefix);
    }
    out.push(line);
  }
  return out;
}
