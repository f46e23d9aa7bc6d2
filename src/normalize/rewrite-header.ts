import type { Platform } from "../common/index.js";
import { headerBlockEnd } from "./header-block.js";

/**
 * Normalization step 2: drops the export date from the header, keeping the version.
 * Only lines of the leading comment block (comments and blank lines before the
 * first command or menu line) are touched, so a dated-looking comment further
 * down stays as printed. Every matching line of the block is rewritten, so a
 * second pass finds nothing left to do.
 */
export function rewriteHeader(lines: readonly string[], platform: Pick<Platform, "header" | "commentPrefix">): string[] {
  const out = lines.slice();
  const { pattern, replacement } = platform.header;
  const end = headerBlockEnd(out, platform.commentPrefix);
  for (let i = 0; i < end; i++) out[i] = out[i]!.replace(pattern, replacement);
  return out;
}

/**
 * The export with its first line's date dropped as `rewriteHeader` drops it
 * (the rest untouched): two exports equal after this normalize to the same
 * text, so this is what tells "the same export, taken later" apart cheaply.
 */
export function withoutExportDate(text: string, platform: Pick<Platform, "header">): string {
  const nl = text.indexOf("\n");
  const first = nl < 0 ? text : text.slice(0, nl);
  const rewritten = first.replace(platform.header.pattern, platform.header.replacement);
  return rewritten === first ? text : rewritten + (nl < 0 ? "" : text.slice(nl));
}
