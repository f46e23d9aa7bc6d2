import { badParameter } from "../common/index.js";

/** Which snapshot a search reads: the tip of main, or main as it stood at a moment. */
export type SearchAt = { readonly kind: "latest" } | { readonly kind: "date"; readonly ms: number; readonly text: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `at`: `latest` (the default), an RFC 3339 time (`2026-11-22T10:00:00Z`,
 * any offset), or a date (`2026-11-22`, meaning the end of that day in UTC:
 * the archive as it stood that day).
 */
export function parseAt(value: unknown): SearchAt {
  if (value === undefined || value === "latest") return { kind: "latest" };
  const bad = () => badParameter("at", "must be latest, a date like 2026-11-22 or an RFC 3339 time like 2026-11-22T10:00:00Z");
  if (typeof value !== "string" || value.length > 40) throw bad();
  const d = DATE.exec(value);
  if (d) {
    const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), 23, 59, 59);
    if (!sameDay(ms, d)) throw bad();
    return { kind: "date", ms, text: value };
  }
  const t = DATE_TIME.exec(value);
  if (!t) throw bad();
  const ms = Date.parse(value.toUpperCase());
  // Date.parse rolls over impossible dates (02-30); the day it read must be the day written (before the offset applies).
  const local = Date.UTC(Number(t[1]), Number(t[2]) - 1, Number(t[3]), Number(t[4]), Number(t[5]), Number(t[6]));
  if (Number.isNaN(ms) || !sameDay(local, t) || Number(t[4]) > 23 || Number(t[5]) > 59 || Number(t[6]) > 59) throw bad();
  return { kind: "date", ms, text: value };
}

function sameDay(ms: number, m: RegExpExecArray): boolean {
  const d = new Date(ms);
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() + 1 === Number(m[2]) && d.getUTCDate() === Number(m[3]);
}
