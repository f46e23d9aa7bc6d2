import type { Platform } from "../common/index.js";
import { joinWraps } from "../normalize/index.js";
import { isSensitive } from "../seal/index.js";
import { wrapLine } from "./wrap-line.js";

/**
 * An export prepared once per (text, version, sensitivity): the bytes before
 * and after the dated header line, so each answer only formats the date.
 */
export interface RenderedExport {
  /** Bytes before the header line (usually none). */
  readonly before: Buffer;
  /** Whatever followed the version on the original header line (e.g. nothing). */
  readonly headerTail: string;
  readonly hasHeader: boolean;
  /** Bytes after the header line, CRLF endings, wrapped like RouterOS. */
  readonly after: Buffer;
}

/**
 * Pure: exportText → the shape RouterOS prints over SSH. Line endings become
 * CRLF, long command lines are re-wrapped at 80 columns, and with
 * `hideSensitive` (v7 `/export` without `show-sensitive`) the sensitive
 * `name=value` pairs are dropped, as RouterOS v7 does.
 */
export function renderExport(exportText: string, platform: Platform, hideSensitive: boolean): RenderedExport {
  let lines = joinWraps(exportText.replace(/\r\n|\r/g, "\n").split("\n"), platform);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (hideSensitive) lines = stripSensitive(lines, platform);
  const headerAt = lines.findIndex((l) => platform.header.pattern.test(l));
  const toBytes = (ls: string[]) => Buffer.from(ls.flatMap((l) => wrapLine(l)).map((l) => l + "\r\n").join(""), "utf8");
  if (headerAt < 0) return { before: Buffer.alloc(0), headerTail: "", hasHeader: false, after: toBytes(lines) };
  const m = platform.header.pattern.exec(lines[headerAt]!)!;
  return {
    before: toBytes(lines.slice(0, headerAt)),
    headerTail: lines[headerAt]!.slice(m.index + m[0].length),
    hasHeader: true,
    after: toBytes(lines.slice(headerAt + 1)),
  };
}

/** Removes ` name=value` for every sensitive parameter of the line's menu. */
export function stripSensitive(lines: readonly string[], platform: Platform): string[] {
  let menu: string | null = null;
  return lines.map((line) => {
    const section = platform.sectionOf(line);
    if (section !== null) {
      menu = section;
      return line;
    }
    if (line.startsWith(platform.commentPrefix)) return line;
    // The sealer's own rule: what it would seal is what v7 hides.
    const drop = platform.valueTokens(line).filter((t) => isSensitive(menu, t.name, platform.sensitiveParams));
    let out = line;
    // Right to left, so earlier offsets stay valid.
    for (const t of drop.reverse()) {
      const eq = t.start - 1;
      let from = out.lastIndexOf(" ", eq);
      from = from < 0 ? 0 : from;
      out = out.slice(0, from) + out.slice(t.end);
    }
    return out;
  });
}
