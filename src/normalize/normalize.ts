import type { Platform } from "../common/index.js";
import { dropVolatile } from "./drop-volatile.js";
import { joinWraps } from "./join-wraps.js";
import { rewriteHeader } from "./rewrite-header.js";
import { tidy } from "./tidy.js";
import { unifyLineEndings } from "./unify-line-endings.js";

/** Recorded in every commit (`Normalizer: 1`); bump when the output of `normalize` changes. */
export const NORMALIZER_VERSION = 1;

/**
 * The archived text as a pure function of the export. Two exports that
 * differ only in header date, line endings, wrap width or volatile comments give
 * the same text, and normalizing twice changes nothing.
 */
export function normalize(text: string, platform: Platform): string {
  const lines = unifyLineEndings(text).split("\n");
  const joined = joinWraps(rewriteHeader(lines, platform), platform);
  let kept = dropVolatile(joined, platform);
  // A dropped line may have sat between a wrapped line and its continuation;
  // joining again here keeps a second pass from finding a join the first missed.
  if (kept.length !== joined.length) kept = joinWraps(kept, platform);
  return tidy(kept);
}
