import type { Platform } from "../common/index.js";

/**
 * SPEC §5 step 4: removes comment lines that report runtime state (the
 * platform's `volatileComments` table). Only comment lines are tested, which
 * keeps the step cheap and means no command or menu line is ever dropped.
 */
export function dropVolatile(lines: readonly string[], platform: Pick<Platform, "volatileComments" | "commentPrefix">): string[] {
  const patterns = platform.volatileComments.map((v) => v.pattern);
  return lines.filter((line) => {
    if (!line.trimStart().startsWith(platform.commentPrefix)) return true;
    return !patterns.some((re) => re.test(line));
  });
}
