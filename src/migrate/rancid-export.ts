import { ROUTEROS, parseVersion } from "../routeros/index.js";
import type { Extracted } from "./types.js";

const platform = ROUTEROS;

/**
 * RANCID's first line names the device type: `#RANCID-CONTENT-TYPE: mikrotik`
 * (the `mtrancid` script of RANCID 2.3 and early 3.x) or
 * `!RANCID-CONTENT-TYPE: routeros` (the `routeros` module since; `mikrotik` is
 * its alias, `-terse` and `-verbose` its export variants).
 */
const CONTENT_TYPE = /^[!#]RANCID-CONTENT-TYPE:\s*(\S+)/;
const ROUTEROS_TYPES = new Set(["mikrotik", "mikrotik-terse", "mikrotik-verbose", "routeros", "routeros-terse", "routeros-verbose"]);
/** `/system package print detail` as RANCID keeps it: `# name="routeros" version="7.16.2" ...` (v6 also `name="system"`). */
const PACKAGE_VERSION = /\bname="?(?:routeros|system)[^"\s]*"?\s.*?\bversion="?([0-9][^"\s]*)/;

/**
 * Pure: the export from a file RANCID stored for a RouterOS device. RANCID
 * keeps its own comments first (`!` and `#` lines: content type, packages,
 * routerboard, licence), then the export with every comment line dropped,
 * wrapped lines joined its own way and simple quoted values unquoted. The
 * export header is lost, so it comes back as `# RouterOS <version>` with the
 * version of the `routeros` (or v6 `system`) package; the rest is kept as
 * RANCID stored it (see the README on what the first live backup then shows).
 */
export function extractRancidExport(stored: string): Extracted {
  if (stored.trim() === "") return { ok: false, reason: "empty", detail: "the stored file is empty (RANCID's placeholder before a first collection)" };
  const lines = stored.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  const type = CONTENT_TYPE.exec(lines[0] ?? "")?.[1]?.toLowerCase();
  if (!type) return { ok: false, reason: "not_routeros", detail: "no RANCID-CONTENT-TYPE line: not a file RANCID collected" };
  if (!ROUTEROS_TYPES.has(type)) return { ok: false, reason: "not_routeros", detail: `RANCID device type ${JSON.stringify(type.slice(0, 40))}, not RouterOS` };
  const isComment = (l: string) => l.startsWith("#") || l.startsWith("!") || l.trim() === "";
  let start = 0;
  while (start < lines.length && isComment(lines[start]!)) start++;
  const body = lines.slice(start);
  const errorAt = body.findIndex((l) => platform.errorLines.some((re) => re.test(l)));
  if (errorAt >= 0) return { ok: false, reason: "error_output", detail: `line ${start + errorAt + 1} is a RouterOS error message, stored instead of the export` };
  if (body.length === 0) return { ok: false, reason: "no_export", detail: "RANCID's comments but no export (no configuration line)" };
  if (platform.sectionOf(body[0]!) === null) return { ok: false, reason: "not_routeros", detail: `line ${start + 1} is not a RouterOS menu line` };
  let version: string | null = null;
  for (const l of lines.slice(0, start)) {
    const m = PACKAGE_VERSION.exec(l);
    version = m ? parseVersion(m[1]!) : null;
    if (version) break;
  }
  const header = version ? [platform.header.replacement.replace("$1", version)] : [];
  return { ok: true, text: `${[...header, ...body].join("\n")}\n`, version };
}
