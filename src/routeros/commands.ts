import { HEADER } from "./header.js";

/** `7.16.2`, `6.48.4`, `7.5`, `7.15rc3`, `7.0beta5`: the number part of a RouterOS version. */
const VERSION = /\d+(?:\.\d+)*(?:(?:alpha|beta|rc)\d+)?/;

/** A header already normalized by SPEC §5 step 2. */
const NORMALIZED_HEADER = /^# RouterOS (\S+)/;

/** SPEC §4: what is run over the SSH exec channel. */
export const COMMANDS = {
  /** Prints e.g. `7.16.2 (stable)`; the channel suffix is dropped by `parseVersion`. */
  version: ":put [/system resource get version]",
  /**
   * First contact in one round trip: the version probe and the v7 export on
   * one line. RouterOS parses a line whole before running any of it, so v6
   * refuses all of it (`expected end of command`) and the two-step sequence
   * follows; v7 prints the version line, then the export.
   */
  firstContact: {
    command: ":put [/system resource get version]; /export show-sensitive",
    exportCommand: "/export show-sensitive",
  },
  /**
   * v7 hides secrets in `/export` unless asked (`show-sensitive`); v6 always
   * shows them and rejects `show-sensitive` with `expected end of command`.
   * An unknown major version gets the v7 form: should it be refused, the output
   * check stops it instead of archiving an export without its secrets.
   */
  exportFor(version: string): string {
    const major = Number.parseInt(version.trim(), 10);
    return Number.isFinite(major) && major < 7 ? "/export" : "/export show-sensitive";
  },
} as const;

/** The number part of a version string (`7.16.2 (stable)` → `7.16.2`), or null. */
export function parseVersion(text: string): string | null {
  const m = VERSION.exec(text.trim());
  return m && m.index === 0 ? m[0] : null;
}

/**
 * The version named in the export's leading comment block, dated
 * (`# 2024-01-04 18:22:26 by RouterOS 7.17.2`) or already normalized
 * (`# RouterOS 7.17.2`); null when the export has no header (hand-trimmed files).
 */
export function versionFromExport(text: string): string | null {
  // The header is the leading comment block: read line by line and stop past it (no split of a 20 KB text).
  for (let start = 0, n = 0; start < text.length && n < 1000; n++) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const cr = text.indexOf("\r", start);
    if (cr >= 0 && cr < end) end = cr; // a bare CR ends a line too; the `\n` of a CRLF then reads as an empty line
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === "") continue;
    if (!line.startsWith("#")) return null; // past the leading comment block
    const m = HEADER.pattern.exec(line) ?? NORMALIZED_HEADER.exec(line);
    const version = m?.[1] !== undefined ? parseVersion(m[1]) : null;
    if (version) return version;
  }
  return null;
}
