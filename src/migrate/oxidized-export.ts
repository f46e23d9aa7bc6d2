import { ROUTEROS, EXPORT_HEADER_COMMENTS, parseVersion } from "../routeros/index.js";
import type { Extracted } from "./types.js";

const platform = ROUTEROS;

/**
 * What Oxidized's `routeros` model stores before the export: the output of
 * other commands, each line behind `# `. Over the model's life:
 * - `/system resource print` (since mid-2024): `version`, `factory-software`,
 *   `total-memory`, `cpu`, `cpu-count`, `total-hdd-space`, `architecture-name`,
 *   `board-name`, `platform`, right-aligned (`#                   version: 7.16 (stable)`);
 * - `/system routerboard print` (before): `model`, `firmware-type`,
 *   `current-firmware`, `serial-number`, earlier its whole output;
 * - `/system package update print`: `installed-version` (`current-version`
 *   on old v6), earlier its whole output (`channel`, `latest-version`, `status`);
 * - `/system history print without-paging` (since 2017): any text.
 * Older releases kept RouterOS's CR LF line endings and, for v7.10 and later
 * before mid-2023, the export's dated first line; current ones drop both.
 */
const RESOURCE_VERSION = /^#\s+version:\s*(\S+)/;
const PACKAGE_VERSION = /^#\s+(?:installed|current)-version:\s*(\S+)/;
const PREAMBLE_KEYS = /^#\s+(?:version|factory-software|total-memory|cpu|cpu-count|total-hdd-space|architecture-name|board-name|platform|routerboard|model|firmware-type|factory-firmware|current-firmware|upgrade-firmware|serial-number|channel|installed-version|current-version|latest-version|status):/;

/**
 * Pure: the export alone from a file Oxidized's `routeros` model stored, as
 * rosarchive would have collected it. The preamble goes; a missing dated first
 * line comes back as the normalized `# RouterOS <version>` (the version from the
 * preamble's resource print, else its package line), so normalizing the result
 * gives the same text as normalizing the router's own `/export`.
 * Files of other models, error output and preambles without an export are
 * refused with a reason; the reason never quotes the file.
 */
export function extractOxidizedExport(stored: string): Extracted {
  if (stored.trim() === "") return { ok: false, reason: "empty", detail: "the stored file is empty" };
  const lines = stored.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  const isComment = (l: string) => l.startsWith(platform.commentPrefix) || l.trim() === "";
  let blockEnd = 0;
  while (blockEnd < lines.length && isComment(lines[blockEnd]!)) blockEnd++;
  // The export starts at its own header (dated line, software id, model...) inside the leading comments, else at its first command.
  let start = blockEnd;
  for (let i = 0; i < blockEnd; i++) {
    const l = lines[i]!;
    if (platform.header.pattern.test(l) || EXPORT_HEADER_COMMENTS.some((h) => h.pattern.test(l))) {
      start = i;
      break;
    }
  }
  const preamble = lines.slice(0, start);
  const body = lines.slice(start);
  const fromOxidized = preamble.some((l) => PREAMBLE_KEYS.test(l));

  const errorAt = body.findIndex((l) => platform.errorLines.some((re) => re.test(l)));
  if (errorAt >= 0) return { ok: false, reason: "error_output", detail: `line ${start + errorAt + 1} is a RouterOS error message, stored instead of the export` };
  const firstCommand = body.find((l) => !isComment(l));
  if (firstCommand === undefined) {
    return fromOxidized
      ? { ok: false, reason: "no_export", detail: "RouterOS command output but no export (no configuration line)" }
      : { ok: false, reason: "not_routeros", detail: "no RouterOS export: only comment lines" };
  }
  if (platform.sectionOf(firstCommand) === null) {
    return { ok: false, reason: "not_routeros", detail: `line ${start + body.indexOf(firstCommand) + 1} is not a RouterOS menu line: another platform's configuration` };
  }

  const datedLine = body.slice(0, blockEnd - start).find((l) => platform.header.pattern.test(l));
  if (datedLine !== undefined) {
    // An older Oxidized kept the dated line: normalizing it gives the header back.
    const m = platform.header.pattern.exec(datedLine);
    return { ok: true, text: `${body.join("\n")}\n`, version: m?.[1] ? parseVersion(m[1]) : null };
  }
  const version = versionOf(preamble);
  const header = version ? [platform.header.replacement.replace("$1", version)] : [];
  return { ok: true, text: `${[...header, ...body].join("\n")}\n`, version };
}

/** The RouterOS version the preamble names: the resource print's, else the package line's. */
function versionOf(preamble: readonly string[]): string | null {
  for (const re of [RESOURCE_VERSION, PACKAGE_VERSION]) {
    for (const l of preamble) {
      const m = re.exec(l);
      const v = m ? parseVersion(m[1]!) : null;
      if (v) return v;
    }
  }
  return null;
}
