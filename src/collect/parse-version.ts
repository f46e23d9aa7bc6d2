/**
 * The version from the probe's output. RouterOS v7 prints `7.16.2 (stable)`,
 * v6 `6.48.4 (long-term)`; the first line starting with `major.minor` wins and
 * only its first word is kept. Null when no line looks like a version.
 */
export function parseVersion(output: string): string | null {
  for (const raw of output.split(/\r\n|\r|\n/)) {
    const m = /^\d+\.\d+\S*/.exec(raw.trim());
    if (m) return m[0];
  }
  return null;
}
