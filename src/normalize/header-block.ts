/**
 * Index just past the export's leading comment block: the comments and blank
 * lines before the first command or menu line. That block is the header RouterOS
 * prints about the device (date and version, software id, model, serial number);
 * runtime-state comments always stand under a menu line, never in it.
 */
export function headerBlockEnd(lines: readonly string[], commentPrefix: string): number {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() !== "" && !line.startsWith(commentPrefix)) break;
    i++;
  }
  return i;
}
