/** RouterOS wraps exported command lines for an 80-column terminal. */
export const WRAP_WIDTH = 80;
const INDENT = "    ";

/**
 * One logical line as RouterOS prints it over SSH: pieces of at most
 * WRAP_WIDTH columns, each but the last ending in `\`, continuations indented
 * by four spaces. Breaks after a space when there is one (RouterOS keeps the
 * space before the `\`); a piece never ends in a `\` of the value, so joining
 * (the normalizer's wrap rule) gives back the exact line. Comments are never wrapped.
 */
export function wrapLine(line: string, width = WRAP_WIDTH): string[] {
  if (line.length <= width || line.startsWith("#")) return [line];
  const out: string[] = [];
  let rest = line;
  let room = width - 1; // the first piece has no indent; one column for `\`
  while (rest.length > room + 1) {
    let cut = rest.lastIndexOf(" ", room - 1) + 1;
    if (cut <= 0) cut = room;
    // An odd run of `\` before the continuation `\` would make it an escape: keep the run even.
    let run = 0;
    while (run < cut && rest[cut - 1 - run] === "\\") run++;
    if (run % 2 === 1) cut--;
    out.push(rest.slice(0, cut) + "\\");
    rest = rest.slice(cut);
    room = width - INDENT.length - 1;
  }
  out.push(rest);
  return out.map((p, i) => (i === 0 ? p : INDENT + p));
}
