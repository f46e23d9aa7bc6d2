import { HEADER } from "./header.js";

/** A RouterOS version: `7.16.2`, `6.48.4`, `7.5`, `7`, `7.15rc3`, `7.0beta5`, and nothing else. */
export const VERSION_PATTERN = /^\d+(?:\.\d+)*(?:(?:alpha|beta|rc)\d+)?$/;

const MAX_VERSION_LENGTH = 32;

export function isValidVersion(text: string): boolean {
  return text.length <= MAX_VERSION_LENGTH && VERSION_PATTERN.test(text);
}

/**
 * The version the probe printed: its first non-blank line is
 * `7.16.2 (stable)` (v7) or `6.48.4 (long-term)` (v6); the first word must be
 * a version exactly. Anything else (an error message, a version with bytes
 * appended) is null: the device's answer is not trusted into commits and state.
 */
export function parseVersion(output: string): string | null {
  for (const raw of output.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === "") continue;
    const word = line.split(/[ \t]/, 1)[0]!;
    return isValidVersion(word) ? word : null;
  }
  return null;
}

/** A header already normalized (`# RouterOS 7.17.2`). */
const NORMALIZED_HEADER = /^# RouterOS (\S+)/;

/**
 * The version token of the export's header line, dated
 * (`# 2024-01-04 18:22:26 by RouterOS 7.17.2`) or already normalized
 * (`# RouterOS 7.17.2`), exactly as printed (not validated); null when the
 * leading comment block has no header line (hand-trimmed files).
 */
export function headerVersionToken(text: string): string | null {
  // The header is in the leading comment block: read line by line and stop past it (no split of a 20 KB text).
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
    if (m?.[1] !== undefined) return m[1];
  }
  return null;
}

/** The version named in the export's header when it is a valid version, else null. */
export function versionFromExport(text: string): string | null {
  const token = headerVersionToken(text);
  return token !== null && isValidVersion(token) ? token : null;
}
