import path from "node:path";
import { rfc3339, type RepoRegistry } from "../archive/index.js";
import type { Config } from "../config/index.js";
import type { EventSink } from "../notify/index.js";
import type { Logger } from "../observe/index.js";
import type { DeviceLocks } from "../pipeline/index.js";
import type { DeviceStateStore } from "../store/index.js";
import type { DeviceDirectory, DirectoryEntry } from "./device-directory.js";

export interface RetireDeps {
  /** The devices in force now (the live config). */
  readonly config: () => Config;
  /** Whether every inventory source of the tenant has a known list (an unknown list is not an empty one). */
  readonly known: (tenant: string) => boolean;
  readonly repos: RepoRegistry;
  readonly locks: DeviceLocks;
  readonly states: DeviceStateStore;
  readonly directory: DeviceDirectory;
  readonly events: EventSink;
  readonly log: Logger;
  readonly clock: () => number;
  readonly ids: () => string;
  /** The normalizer version for the commit's trailer (the file it removes was normalized by it or an earlier one). */
  readonly normalizer: number;
  readonly observe?: { retired?(tenant: string): void };
}

/** A device file path → the device id it belongs to (`fra/core-1.rsc` → `core-1`), or null for other files (README.md). */
export function deviceOfPath(p: string): string | null {
  if (!p.endsWith(".rsc") || p.split("/").length > 2) return null;
  return path.posix.basename(p, ".rsc");
}

/**
 * Retirement: a device whose file is on `main` but which is no longer in the
 * tenant's devices (it left an inventory source, or the config file) gets one
 * commit removing its file, `<device>: retired from inventory` (or `from
 * config`), with the usual trailers and `Trigger: retire`. Its history, state
 * and host-key pin stay; if it comes back, its next snapshot is committed on
 * the same path and its history continues.
 *
 * Sweeps compare the repository with the configuration, so a device removed
 * while the service was down is retired at the next start. A tenant whose
 * sources have not all been read yet (`known`) is left alone: an unknown list
 * is not an empty one.
 */
export class Retirer {
  private running: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly deps: RetireDeps) {}

  /** Runs one sweep after any running one; never rejects (failures are logged and retried at the next sweep). */
  sweep(): Promise<void> {
    if (this.closed) return this.running;
    const run = this.running.then(() => (this.closed ? undefined : this.sweepNow(this.deps.config(), this.deps.known)));
    this.running = run;
    return run;
  }

  private async sweepNow(config: Config, known: (tenant: string) => boolean): Promise<void> {
    for (const tenant of config.tenants.values()) {
      try {
        const returned = await this.deps.directory.noteActive(tenant.id, tenant.devices);
        for (const id of returned) this.deps.log.info({ event: "device.returned", tenant: tenant.id, device: id });
        if (!known(tenant.id)) continue;
        const repo = await this.deps.repos.get(tenant.id);
        for (const p of await repo.filesAtMain()) {
          const id = deviceOfPath(p);
          if (id === null || tenant.deviceById.has(id)) continue;
          await this.retireOne(tenant.id, id, p);
        }
      } catch (err) {
        this.deps.log.warn({ event: "retire.failed", tenant: tenant.id, msg: (err as Error).message });
      }
    }
  }

  private async retireOne(tenant: string, id: string, filePath: string): Promise<void> {
    const { deps } = this;
    const known = await deps.directory.get(tenant, id);
    const source = known?.source ?? "config";
    try {
      await deps.locks.runExclusive(tenant, id, async () => {
        const repo = await deps.repos.get(tenant);
        const state = await deps.states.get(tenant, id);
        const now = deps.clock();
        const outcome = await repo.commitFile({
          path: filePath,
          content: null,
          authorTime: Math.floor(now / 1000),
          facts: {
            device: id,
            host: known?.host ?? "unknown",
            routerosVersion: state.routeros_version ?? "unknown",
            trigger: "retire",
            collectedAt: rfc3339(now),
            normalizer: deps.normalizer,
            subject: `retired from ${source === "config" ? "config" : "inventory"}`,
          },
        });
        if (!outcome.changed) return;
        const entry: DirectoryEntry = {
          id,
          path: filePath,
          host: known?.host ?? "unknown",
          port: known?.port ?? 22,
          group: filePath.includes("/") ? filePath.split("/")[0]! : null,
          site: known?.site ?? "default",
          source,
          retired_at: rfc3339(now),
          retired_commit: outcome.commit,
        };
        await deps.directory.markRetired(tenant, entry);
        deps.observe?.retired?.(tenant);
        await deps.events.emit({ event: "device.retired", id: deps.ids(), tenant, device: id, time: rfc3339(now), commit: outcome.commit!, parent: outcome.parent, source });
        deps.log.info({ event: "device.retired", tenant, device: id, commit: outcome.commit, source, path: filePath });
      });
    } catch (err) {
      // A backup of it is still running (it left the config mid-run): try again shortly.
      if ((err as { code?: string }).code !== "busy") throw err;
      if (!this.retry) {
        this.retry = setTimeout(() => {
          this.retry = null;
          void this.sweep();
        }, 5000);
        this.retry.unref?.();
      }
    }
  }

  /** No sweep starts from now on; waits for the one in progress (before closing the repositories). */
  async idle(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.running;
  }
}
