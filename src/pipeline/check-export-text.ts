import { RosarchiveError, type Platform } from "../common/index.js";

/**
 * The output check of SPEC §4 for bytes that did not come over SSH (`import`):
 * text, not empty, valid UTF-8, a `/menu` line, no RouterOS error line, under
 * the size cap. Returns the text; never echoes the content.
 */
export function checkExportText(bytes: Buffer, platform: Platform, maxBytes: number): string {
  const fail = (why: string) => new RosarchiveError("invalid_output", why);
  if (bytes.length === 0) throw fail("the export is empty");
  if (bytes.length > maxBytes) throw fail(`the export is ${bytes.length} bytes, above the ${maxBytes}-byte limit`);
  if (bytes.includes(0)) throw fail("the export contains NUL bytes: this is a binary file, not a RouterOS export (use /export, not /system backup)");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw fail("the export is not valid UTF-8 text");
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (!lines.some((l) => l.startsWith("/"))) throw fail("the export has no menu line starting with '/': not a RouterOS export, or truncated");
  const bad = lines.findIndex((l) => platform.errorLines.some((re) => re.test(l)));
  if (bad >= 0) throw fail(`line ${bad + 1} is a RouterOS error message; the export failed on the device`);
  return text;
}
