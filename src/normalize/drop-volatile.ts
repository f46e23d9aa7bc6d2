import type { Platform } from "../common/index.js";
import { headerBlockEnd } from "./header-block.js";

/**
 * Normalization step 4: removes comment lines that report runtime state (the
 * platform's `volatileComments` table). Only comment lines are tested, which
 * keeps the step cheap and means no command or menu line is ever dropped.
 * The leading header block is never touched: its lines describe the device
 * (normalization step 2 keeps them), and its bare `#` separator must stay even though
 * an empty comment under a menu is dropped.
 */
export function dropVolatile(lines: readonly string[], platform: Pick<Platform, "volatileComments" | "commentPrefix">): string[] {
  const patterns = platform.volatileComments.map((v) => v.pattern);
  const prefix = platform.commentPrefix;
  const start = headerBlockEnd(lines, prefix);
  const out = lines.slice(0, start);
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trimStart().startsWith(prefix) && patterns.some((re) => re.test(line))) continue;
    out.push(line);
  }
  return out;
}
