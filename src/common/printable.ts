/** C0 controls (but TAB), DEL and C1 controls: never let a device's bytes steer a terminal or break a git object. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/**
 * Text safe to put in a commit trailer, a state file or an event field: every
 * control character becomes `?` (TAB too, and line breaks: these are
 * one-line fields). Used on anything that may carry device-chosen text, such
 * as an SSH error message.
 */
export function printable(text: string): string {
  return text.replace(CONTROL, "?").replace(/\t/g, " ");
}

/**
 * Offset of the first C0 control character other than TAB and the line
 * breaks (CR, LF) in `text`, or -1. RouterOS prints control bytes in values
 * escaped (`\1B`), so a raw one means the output is not export text.
 */
export function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
  }
  return -1;
}
