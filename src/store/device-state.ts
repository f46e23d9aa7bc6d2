import { mkdirSync, watch, type FSWatcher } from "node:fs";
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

/** How long a remembered state is trusted without a watch on its folder (and at most with one, in case an event was missed). */
const UNWATCHED_MS = 5_000;
const WATCHED_MS = 300_000;
/** Files read at once when many states are wanted. */
const READ_WIDTH = 64;

interface TenantMemory {
  readonly states: Map<string, { state: DeviceState; at: number }>;
  /** Devices whose file changed since it was last read (the folder's watch said so). */
  readonly stale: Set<string>;
  watcher: FSWatcher | null;
}

/**
 * One small JSON file per device under `state_dir/devices/<tenant>/`. Every
 * `get` goes to disk, so a `hostkey accept` from the CLI is seen by a running
 * `serve` at the device's next run; writes are atomic. `getMany` (the device
 * list, the metrics gauge) answers from memory what it has read before,
 * re-reading only the files a watch on the folder saw change: 10,000 devices
 * are not 10,000 file reads per request.
 */
export class DeviceStateStore {
  private readonly memory = new Map<string, TenantMemory>();

  constructor(private readonly stateDir: string, private readonly clock: () => number = Date.now) {}

  private dir(tenant: string): string {
    return path.join(this.stateDir, "devices", tenant);
  }

  private file(tenant: string, device: string): string {
    return path.join(this.dir(tenant), `${device}.json`);
  }

  async get(tenant: string, device: string): Promise<DeviceState> {
    const s = await readJsonFile<Partial<DeviceState>>(this.file(tenant, device));
    const state = { ...INITIAL_STATE, ...(s ?? {}) };
    this.memory.get(tenant)?.states.set(device, { state, at: this.clock() });
    return state;
  }

  async put(tenant: string, device: string, state: DeviceState): Promise<void> {
    await writeFileAtomic(this.file(tenant, device), `${JSON.stringify(state, null, 1)}\n`);
    this.memory.get(tenant)?.states.set(device, { state, at: this.clock() });
  }

  async update(tenant: string, device: string, change: (s: DeviceState) => DeviceState): Promise<DeviceState> {
    const next = change(await this.get(tenant, device));
    await this.put(tenant, device, next);
    return next;
  }

  /**
   * The states of `devices`, for displays: remembered ones unless their file
   * changed (seen by the folder's watch) or they are older than the watch
   * can vouch for; the rest read from disk, a few at a time.
   */
  async getMany(tenant: string, devices: readonly string[]): Promise<Map<string, DeviceState>> {
    const mem = this.remember(tenant);
    const now = this.clock();
    const maxAge = mem.watcher ? WATCHED_MS : UNWATCHED_MS;
    const out = new Map<string, DeviceState>();
    const toRead: string[] = [];
    for (const id of devices) {
      const e = mem.states.get(id);
      if (e && !mem.stale.has(id) && now - e.at < maxAge) out.set(id, e.state);
      else toRead.push(id);
    }
    for (let i = 0; i < toRead.length; i += READ_WIDTH) {
      const ids = toRead.slice(i, i + READ_WIDTH);
      for (const id of ids) mem.stale.delete(id); // a change seen while it is read marks it again
      const read = await Promise.all(ids.map((id) => this.get(tenant, id)));
      ids.forEach((id, k) => out.set(id, read[k]!));
    }
    return out;
  }

  /** Stops watching the state folders (service shutdown). */
  close(): void {
    for (const m of this.memory.values()) m.watcher?.close();
    this.memory.clear();
  }

  private remember(tenant: string): TenantMemory {
    let mem = this.memory.get(tenant);
    if (mem) return mem;
    mem = { states: new Map(), stale: new Set(), watcher: null };
    this.memory.set(tenant, mem);
    const m = mem;
    try {
      mkdirSync(this.dir(tenant), { recursive: true, mode: 0o700 });
      m.watcher = watch(this.dir(tenant), { persistent: false }, (_event, name) => {
        if (typeof name !== "string") return m.states.clear(); // the event does not say which: read everything again
        if (name.endsWith(".json") && !name.startsWith(".")) m.stale.add(name.slice(0, -5));
      });
      m.watcher.on("error", () => {
        m.watcher?.close();
        m.watcher = null; // remembered states then expire after a few seconds
      });
    } catch {
      m.watcher = null;
    }
    return m;
  }
}
