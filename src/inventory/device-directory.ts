import path from "node:path";
import type { DeviceConfig } from "../config/index.js";
import { readJsonFile, writeFileAtomic } from "../store/index.js";

/** What is remembered of a device seen in the inventory or config, active or retired. */
export interface DirectoryEntry {
  readonly id: string;
  readonly path: string;
  readonly host: string;
  readonly port: number;
  readonly group: string | null;
  readonly site: string;
  /** `config` or the inventory source that listed it last. */
  readonly source: string;
  readonly retired_at: string | null;
  readonly retired_commit: string | null;
}

interface DirectoryFile {
  readonly version: 1;
  readonly devices: Record<string, DirectoryEntry>;
}

/**
 * Per tenant, every device seen: its last path, host and source, and when it
 * was retired. Retired devices are listed from here (their state file and
 * host-key pin stay where they are); a device that returns is active again.
 * `state_dir/inventory/<tenant>/devices.json`, written only when it changes.
 */
export class DeviceDirectory {
  private readonly cache = new Map<string, Map<string, DirectoryEntry>>();
  private readonly writes = new Map<string, Promise<void>>();

  constructor(private readonly stateDir: string) {}

  private file(tenant: string): string {
    return path.join(this.stateDir, "inventory", tenant, "devices.json");
  }

  async load(tenant: string): Promise<Map<string, DirectoryEntry>> {
    let m = this.cache.get(tenant);
    if (!m) {
      const f = await readJsonFile<DirectoryFile>(this.file(tenant)).catch(() => null);
      // Another load may have finished while this one read the file.
      m = this.cache.get(tenant) ?? new Map(Object.entries(f?.version === 1 ? f.devices : {}));
      this.cache.set(tenant, m);
    }
    return m;
  }

  /** Retired devices of a tenant, as last seen. */
  async retired(tenant: string): Promise<DirectoryEntry[]> {
    return [...(await this.load(tenant)).values()].filter((e) => e.retired_at !== null);
  }

  async get(tenant: string, id: string): Promise<DirectoryEntry | null> {
    return (await this.load(tenant)).get(id) ?? null;
  }

  /** Records the tenant's active devices (a retired one that is back becomes active); returns the ids that returned. */
  async noteActive(tenant: string, devices: readonly DeviceConfig[]): Promise<string[]> {
    const m = await this.load(tenant);
    const returned: string[] = [];
    let dirty = false;
    for (const d of devices) {
      const old = m.get(d.id);
      const entry: DirectoryEntry = { id: d.id, path: d.path, host: d.host, port: d.port, group: d.group, site: d.site, source: d.source, retired_at: null, retired_commit: null };
      if (old?.retired_at) returned.push(d.id);
      if (!old || JSON.stringify(old) !== JSON.stringify(entry)) {
        m.set(d.id, entry);
        dirty = true;
      }
    }
    if (dirty) await this.save(tenant);
    return returned;
  }

  async markRetired(tenant: string, entry: DirectoryEntry): Promise<void> {
    (await this.load(tenant)).set(entry.id, entry);
    await this.save(tenant);
  }

  private save(tenant: string): Promise<void> {
    const run = (this.writes.get(tenant) ?? Promise.resolve()).then(async () => {
      const devices = Object.fromEntries([...(this.cache.get(tenant) ?? new Map()).entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
      await writeFileAtomic(this.file(tenant), `${JSON.stringify({ version: 1, devices })}\n`);
    });
    this.writes.set(tenant, run.catch(() => undefined));
    return run;
  }
}
