/** The line without trailing spaces and tabs (a loop: no regex backtracking on long joined lines). */
function trimBlanksEnd(line: string): string {
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c !== 0x20 && c !== 0x09) break;
    end--;
  }
  return end === line.length ? line : line.slice(0, end);
}

/**
 * Normalization step 5: trailing spaces and tabs go, runs of blank lines become one,
 * and the text ends with exactly one `\n`. Blank lines before the first line
 * and after the last are dropped too (an SSH client may add them; they carry
 * nothing). Text with no content at all becomes a single `\n`.
 */
export function tidy(lines: readonly string[]): string {
  const out: string[] = [];
  let blank = false;
  for (const raw of lines) {
    const line = trimBlanksEnd(raw);
    if (line === "") {
      blank = out.length > 0;
      continue;
    }
    if (blank) out.push("");
    blank = false;
    out.push(line);
  }
  return out.join("\n") + "\n";
}
