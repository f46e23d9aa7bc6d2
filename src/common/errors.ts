/**
 * One error catalog for the whole service: every code maps to
 * the HTTP status the API answers with. Collection failures use the same codes
 * as the `rosarchive_backups_total{result}` label.
 */
export const ERROR_STATUS = {
  bad_parameter: 400,
  bad_request: 400,
  invalid_input: 400,
  /** An inventory source listed something that cannot be used (bad rows, an id twice, colliding paths). */
  inventory_invalid: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  busy: 409,
  conflict: 409,
  no_identity: 409,
  payload_too_large: 413,
  /** A request body that is not JSON where JSON is expected. */
  unsupported_media_type: 415,
  rate_limited: 429,
  /** The service (or the shell running the CLI) lacks a credential source: its own configuration, not the device's. */
  credentials_missing: 500,
  auth_failed: 502,
  host_key_mismatch: 502,
  invalid_output: 502,
  unreachable: 502,
  /** An inventory source answered with an error status or an answer that is not what its type promises. */
  source_failed: 502,
  /** Remote collection: no live collector serves the device's site. */
  no_collector: 502,
  timeout: 504,
  unavailable: 503,
  /** A route whose part of the service is not running in this process (events, policy checks). */
  not_implemented: 501,
  config_invalid: 500,
  /** state_dir was written by a newer release, or its FORMAT file is unreadable: nothing is read or changed. */
  state_format: 500,
  error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Base class: a code from the catalog, a message safe to show, and facts that never include a secret. */
export class RosarchiveError extends Error {
  readonly code: ErrorCode;
  readonly data: Readonly<Record<string, unknown>>;
  constructor(code: ErrorCode, message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.name = "RosarchiveError";
    this.code = code;
    this.data = data;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export const badParameter = (param: string, why: string) =>
  new RosarchiveError("bad_parameter", `${param}: ${why}`, { param });

export const notFound = (what: string) => new RosarchiveError("not_found", `${what} not found`);

/** Anything thrown becomes a RosarchiveError; unknown errors keep only their message. */
export function asRosarchiveError(err: unknown): RosarchiveError {
  if (err instanceof RosarchiveError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RosarchiveError("error", message);
}
