/** Normalization step 1: v6 over SSH prints `\r\n`; some tools leave a lone `\r`. Both become `\n`. */
export function unifyLineEndings(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}
