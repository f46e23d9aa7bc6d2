import path from "node:path";
import { writeFileAtomic, readJsonFile } from "./atomic-file.js";

/** Device states. */
export type DeviceStatus = "never" | "ok" | "failing" | "blocked";

export interface DeviceError {
  readonly code: string;
  readonly message: string;
}

export interface DeviceState {
  readonly status: DeviceStatus;
  readonly last_attempt: string | null;
  readonly last_success: string | null;
  readonly last_change: string | null;
  readonly last_change_commit: string | null;
  readonly last_error: DeviceError | null;
  readonly next_run: string | null;
  /** Consecutive transient failures, for the backoff steps. */
  readonly failures: number;
  readonly routeros_version: string | null;
  /** Trust-on-first-use pin: `SHA256:...` as `ssh-keygen -l` prints it. */
  readonly host_key: string | null;
  /** Set while blocked by a host-key mismatch. */
  readonly presented_host_key: string | null;
  /** Fingerprint of the credentials that failed auth: a config change unblocks (keyed hash, never the secret). */
  readonly blocked_credentials: string | null;
  /** Something to look at although the backup succeeded, e.g. `secrets_missing`. */
  readonly warning: DeviceError | null;
}

export const INITIAL_STATE: DeviceState = Object.freeze({
  status: "never",
  last_attempt: null,
  last_success: null,
  last_change: null,
  last_change_commit: null,
  last_error: null,
  next_run: null,
  failures: 0,
  routeros_version: null,
  host_key: null,
  presented_host_key: null,
  blocked_credentials: null,
  warning: null,
});

/**
 * One small JSON file per device under `state_dir/devices/<tenant>/`. Every
 * read goes to disk, so a `hostkey accept` from the CLI is seen by a running
 * `serve` at the device's next run; writes are atomic.
 */
export class DeviceStateStore {
  constructor(private readonly stateDir: string) {}

  private file(tenant: string, device: string): string {
    return path.join(this.stateDir, "devices", tenant, `${device}.json`);
  }

  async get(tenant: string, device: string): Promise<DeviceState> {
    const s = await readJsonFile<Partial<DeviceState>>(this.file(tenant, device));
    return { ...INITIAL_STATE, ...(s ?? {}) };
  }

  async put(tenant: string, device: string, state: DeviceState): Promise<void> {
    await writeFileAtomic(this.file(tenant, device), `${JSON.stringify(state, null, 1)}\n`);
  }

  async update(tenant: string, device: string, change: (s: DeviceState) => DeviceState): Promise<DeviceState> {
    const next = change(await this.get(tenant, device));
    await this.put(tenant, device, next);
    return next;
  }
}
