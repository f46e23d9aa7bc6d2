/** `<device>: <summary>`, a blank line, then the trailers in this order. */
export type Trigger = "scheduled" | "manual" | "import" | "retire";

export interface CommitFacts {
  readonly device: string;
  readonly host: string;
  readonly routerosVersion: string;
  readonly trigger: Trigger;
  /** RFC 3339 UTC, second precision. */
  readonly collectedAt: string;
  readonly normalizer: number;
  /** The commit only re-seals unchanged plaintext (new recipients): `Resealed: true` after the standard trailers. */
  readonly resealed?: boolean;
}

export const TRAILER_KEYS = ["Device", "Host", "RouterOS-Version", "Trigger", "Collected-At", "Normalizer", "Resealed"] as const;

export function commitMessage(summary: string, f: CommitFacts): string {
  // Newlines in any value would forge trailers; ids are validated, the rest is flattened.
  const flat = (s: string) => s.replace(/[\r\n]+/g, " ").trim();
  return [
    `${f.device}: ${flat(summary)}`,
    "",
    `Device: ${f.device}`,
    `Host: ${flat(f.host)}`,
    `RouterOS-Version: ${flat(f.routerosVersion) || "unknown"}`,
    `Trigger: ${f.trigger}`,
    `Collected-At: ${f.collectedAt}`,
    `Normalizer: ${f.normalizer}`,
    ...(f.resealed ? ["Resealed: true"] : []),
    "",
  ].join("\n");
}

/** Parses the trailers back (history readers). Unknown lines are ignored. */
export function parseTrailers(message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of message.split("\n")) {
    const m = /^([A-Za-z-]+): (.*)$/.exec(line);
    if (m && (TRAILER_KEYS as readonly string[]).includes(m[1]!)) out[m[1]!] = m[2]!;
  }
  return out;
}

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
