import { RosarchiveError } from "./errors.js";

/** Tenant, device and group identifiers. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function isValidId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value) && !value.includes("..");
}

/** Throws a clear `bad_parameter` naming what was wrong; never echoes more than 80 chars. */
export function assertId(kind: string, value: unknown): string {
  if (!isValidId(value)) {
    const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 80)) : String(value);
    throw new RosarchiveError(
      "bad_parameter",
      `${kind}: ${shown} is not a valid identifier (lowercase letters, digits, '.', '_', '-', at most 63, no '..')`,
      { param: kind },
    );
  }
  return value;
}
