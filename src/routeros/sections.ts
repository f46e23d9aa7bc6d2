/** Command verbs that may follow a menu path on the same line (`/ip address add ...`). */
const VERBS = new Set(["add", "set", "remove", "unset", "enable", "disable", "move", "edit", "print", "export"]);

/**
 * The menu path of a line such as `/ip firewall filter`, or null when the line
 * is not a menu line. Exports print the path alone; a hand-written line may put
 * a command after it, so the path ends at the first verb, `[`, or `name=value`.
 */
export function sectionOf(line: string): string | null {
  if (line.charCodeAt(0) !== 47 /* "/" */) return null;
  const known = MEMO.get(line);
  if (known !== undefined) return known;
  const found = parseSection(line);
  // Bare menu lines repeat across every export; a small memo covers them. It is
  // keyed by the parsed path, a new string: `line` is a slice that would keep
  // its whole export alive (V8 substrings point into the text they came from).
  if (found === line) {
    if (MEMO.size > 4096) MEMO.clear();
    MEMO.set(found, found);
  }
  return found;
}

const MEMO = new Map<string, string>();

function parseSection(line: string): string {
  const words = line.slice(1).trim().split(/[ \t]+/);
  const path: string[] = [];
  for (const word of words) {
    if (word === "" || VERBS.has(word) || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(word)) break;
    path.push(word);
  }
  return "/" + path.join(" ");
}

/** Whether any line of `text` (LF, CRLF or CR endings) is a menu line: the mark of export text. */
export function hasMenuLine(text: string): boolean {
  if (text.charCodeAt(0) === 47 /* "/" */) return true;
  return text.includes("\n/") || text.includes("\r/");
}
