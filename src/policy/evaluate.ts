import type { PolicyCheck } from "../config/index.js";

/** A matching line of a device's archived file. */
export interface LineHit {
  readonly line: number;
  readonly text: string;
}

/** The line that made a check fail. */
export interface FailingLine {
  readonly number: number;
  readonly section: string;
  readonly text: string;
}

export type CheckStatus = "pass" | "fail" | "error";

/** What one check said about one device's file. */
export interface CheckResult {
  readonly status: CheckStatus;
  /** The definition it was evaluated with (a stale result has another). */
  readonly fingerprint: string;
  /** must_not_contain: the first line standing against it. */
  readonly line: FailingLine | null;
  /** must_contain: the first pattern no line matched. */
  readonly missing: string | null;
  /** status error: why the check could not be evaluated. */
  readonly message?: string;
}

/** A failing line's text is kept up to this many characters (results, events). */
export const MAX_LINE_TEXT = 500;

export interface DeviceFile {
  /** Hits of a pattern in the file, ascending by line: every hit when the pattern is used with a section, else at least the first. */
  hits(pattern: string): readonly LineHit[] | "error";
  /** The section line `n` (1-based) stands in, from the whole file. */
  sectionAt(n: number): string;
}

/**
 * One check against one device's file. A must_not_contain line fails it
 * (the first such line is named); else a must_contain pattern that no line
 * matches fails it (the first such pattern is named); else it passes. With
 * a `section`, only lines standing in that menu count.
 */
export function evaluateCheck(check: PolicyCheck, file: DeviceFile): CheckResult {
  const base = { fingerprint: check.fingerprint, line: null, missing: null };
  const inSection = (h: LineHit) => check.section === null || file.sectionAt(h.line) === check.section;
  let first: LineHit | null = null;
  for (const p of check.mustNotContain) {
    const hits = file.hits(p);
    if (hits === "error") return { ...base, status: "error", message: `the pattern ${JSON.stringify(p)} could not be evaluated in time` };
    const h = hits.find(inSection);
    if (h && (first === null || h.line < first.line)) first = h;
  }
  if (first) {
    const text = first.text.length > MAX_LINE_TEXT ? first.text.slice(0, MAX_LINE_TEXT) : first.text;
    return { ...base, status: "fail", line: { number: first.line, section: file.sectionAt(first.line), text } };
  }
  for (const p of check.mustContain) {
    const hits = file.hits(p);
    if (hits === "error") return { ...base, status: "error", message: `the pattern ${JSON.stringify(p)} could not be evaluated in time` };
    if (!hits.some(inSection)) return { ...base, status: "fail", missing: p };
  }
  return { ...base, status: "pass" };
}
