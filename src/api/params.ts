import { badParameter } from "../common/index.js";

/** `limit`: an integer in 1..max, `def` when absent. */
export function parseLimit(value: unknown, def: number, max: number, name = "limit"): number {
  if (value === undefined) return def;
  if (typeof value !== "string" || !/^[0-9]{1,6}$/.test(value)) throw badParameter(name, `must be an integer from 1 to ${max}`);
  const n = Number(value);
  if (n < 1 || n > max) throw badParameter(name, `must be an integer from 1 to ${max}`);
  return n;
}

/** A commit parameter: 40 hex (or an unambiguous prefix of at least 7), null when absent. */
export function parseCommitParam(value: unknown, name: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== "string" || !/^[0-9a-f]{7,40}$/.test(value)) throw badParameter(name, "must be a commit id (40 lowercase hex digits)");
  return value;
}

export function parseBoolParam(value: unknown, name: string): boolean {
  if (value === undefined || value === "false" || value === "0") return false;
  if (value === "true" || value === "1") return true;
  throw badParameter(name, "must be true or false");
}
