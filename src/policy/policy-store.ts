import { promises as fs } from "node:fs";
import path from "node:path";
import { readJsonFile, writeFileAtomic } from "../store/index.js";
import type { CheckResult } from "./evaluate.js";

/** The policy results of one device: per check, what its newest snapshot said. */
export interface DeviceResults {
  readonly device: string;
  /** The snapshot evaluated (the device's newest commit then). */
  readonly commit: string;
  readonly evaluated_at: string;
  /** Check name → result; only checks whose scope holds the device. */
  readonly checks: Readonly<Record<string, CheckResult>>;
}

/**
 * One small JSON file per device under `state_dir/policy/<tenant>/`,
 * written atomically. Every read goes to disk, so a `policy run` from the
 * CLI is seen by a running `serve`. A cache of the archive: a lost file is
 * made again by the next evaluation.
 */
export class PolicyStore {
  constructor(private readonly stateDir: string) {}

  private file(tenant: string, device: string): string {
    return path.join(this.stateDir, "policy", tenant, `${device}.json`);
  }

  async get(tenant: string, device: string): Promise<DeviceResults | null> {
    try {
      const r = await readJsonFile<DeviceResults>(this.file(tenant, device));
      return r && typeof r === "object" && typeof r.checks === "object" && r.checks !== null ? r : null;
    } catch {
      return null; // an unreadable file is made again by the next evaluation
    }
  }

  async put(tenant: string, r: DeviceResults): Promise<void> {
    await writeFileAtomic(this.file(tenant, r.device), `${JSON.stringify(r, null, 1)}\n`);
  }

  async remove(tenant: string, device: string): Promise<void> {
    await fs.rm(this.file(tenant, device), { force: true });
  }
}
