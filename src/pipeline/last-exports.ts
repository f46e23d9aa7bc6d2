import type { Config } from "../config/index.js";

/** What a device's last snapshot became, and under which settings. */
export interface LastExport {
  /** Keyed digest of the export as collected (`exportDigest`). */
  readonly digest: string;
  /** The operator's catalog extensions in force then (the config object itself: a reload makes a new one). */
  readonly sensitive: Config["sensitive"];
  /** Digest of the recipients it was sealed to. */
  readonly recipients: string;
  /** The sealed file's blob id and the plaintext fingerprint the device's state recorded for it. */
  readonly sealed: string;
  readonly fingerprint: string;
  readonly secretsMissing: number;
}

/** Devices remembered at most (a few hundred bytes each). */
const MAX_DEVICES = 100_000;

/**
 * The last export of each device. Normalizing and sealing are pure in the
 * export, the catalog extensions, the recipients and the device's sealing
 * state: the same export again, with those unchanged and the archive still
 * holding the same file, seals to that very file, so an unchanged backup is
 * answered without normalizing or sealing it again (most of its CPU).
 */
export class LastExports {
  private readonly map = new Map<string, LastExport>();

  get(key: string): LastExport | undefined {
    return this.map.get(key);
  }

  set(key: string, value: LastExport): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > MAX_DEVICES) this.map.delete(this.map.keys().next().value!);
  }

  forget(key: string): void {
    this.map.delete(key);
  }
}
