/**
 * Generated blocks inside hand-written documents:
 *
 *   <!-- BEGIN GENERATED metrics (npm run docs) -->
 *   ...
 *   <!-- END GENERATED metrics -->
 *
 * The prose around them is written by people; the blocks come from the code.
 */
const begin = (name: string) => `<!-- BEGIN GENERATED ${name} (npm run docs) -->`;
const end = (name: string) => `<!-- END GENERATED ${name} -->`;

/** The text with block `name` replaced by `content`; an error when the markers are missing. */
export function replaceBlock(text: string, name: string, content: string, file: string): string {
  const a = text.indexOf(begin(name));
  const b = text.indexOf(end(name));
  if (a < 0 || b < a) throw new Error(`${file}: markers of the generated block "${name}" are missing:\n${begin(name)}\n${end(name)}`);
  return `${text.slice(0, a)}${begin(name)}\n${content.trimEnd()}\n${text.slice(b)}`;
}

/** Markdown table cell: no pipes or newlines. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}
