import type { Platform } from "../common/index.js";

/**
 * SPEC §5 step 2: drops the export date from the header, keeping the version.
 * Only lines of the leading comment block (comments and blank lines before the
 * first command or menu line) are touched, so a dated-looking comment further
 * down stays as printed. Every matching line of the block is rewritten, so a
 * second pass finds nothing left to do.
 */
export function rewriteHeader(lines: readonly string[], platform: Pick<Platform, "header" | "commentPrefix">): string[] {
  const out = lines.slice();
  const { pattern, replacement } = platform.header;
  for (let i = 0; i < out.length; i++) {
    const line = out[i]!;
    if (line.trim() === "") continue;
    if (!line.startsWith(platform.commentPrefix)) break;
    out[i] = line.replace(pattern, replacement);
  }
  return out;
}
