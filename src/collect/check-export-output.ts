import { firstControlCharacter, RosarchiveError, type Platform } from "../common/index.js";

/**
 * The output check, before anything is stored: exit status 0 (a missing
 * one means the channel closed early: truncated), not empty, under the cap,
 * no NUL, valid UTF-8, no control character but TAB and line breaks, no line
 * longer than the platform's limit, a `/menu` line, no RouterOS error line,
 * and a header version (when there is a header) that is a version.
 * Returns the decoded text. Reasons never quote the output (it holds secrets).
 */
export function checkExportOutput(output: Buffer | string, exitCode: number | null, platform: Platform, maxBytes: number): string {
  const fail = (why: string) => new RosarchiveError("invalid_output", why);
  const bytes = typeof output === "string" ? Buffer.from(output, "utf8") : output;
  if (exitCode === null) throw fail("the export command ended without an exit status (channel closed early): the export may be truncated");
  if (exitCode !== 0) throw fail(`the export command exited with status ${exitCode}`);
  if (bytes.length === 0) throw fail("the export is empty");
  if (bytes.length >= maxBytes) throw fail(`the export reached the ${maxBytes}-byte limit`);
  if (bytes.includes(0)) throw fail("the export contains NUL bytes: binary data, not RouterOS export text");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw fail("the export is not valid UTF-8 text");
  }
  const control = firstControlCharacter(text);
  if (control >= 0) {
    const line = text.slice(0, control).split(/\r\n|\r|\n/).length;
    throw fail(`line ${line} of the output holds a control character (0x${text.charCodeAt(control).toString(16).padStart(2, "0")}): RouterOS prints those escaped, so this is not export text`);
  }
  const lines = text.split(/\r\n|\r|\n/);
  const long = lines.findIndex((l) => l.length > platform.maxLineLength);
  if (long >= 0) throw fail(`line ${long + 1} of the output is ${lines[long]!.length} characters long (more than ${platform.maxLineLength}): not RouterOS export text`);
  const bad = lines.findIndex((l) => platform.errorLines.some((re) => re.test(l)));
  if (bad >= 0) throw fail(`line ${bad + 1} of the output is a RouterOS error message: the export failed on the device`);
  if (!platform.hasMenuLine(text)) throw fail("the export has no menu line starting with '/': not a RouterOS export, or truncated");
  const version = platform.headerVersionToken(text);
  if (version !== null && platform.versionFromExport(text) === null) throw fail("the export's header names no valid version (digits and dots, an optional alpha/beta/rc suffix)");
  return text;
}
