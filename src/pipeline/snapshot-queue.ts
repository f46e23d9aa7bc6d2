import type { Trigger } from "../archive/index.js";
import type { DeviceConfig } from "../config/index.js";

/** Result object of `backup` and `import`. */
export interface SnapshotResult {
  readonly tenant: string;
  readonly device: string;
  readonly result: "changed" | "unchanged";
  readonly changed: boolean;
  readonly commit: string | null;
  readonly parent: string | null;
}

export interface SnapshotInput {
  readonly device: DeviceConfig;
  /** The export as text, already through the output check. */
  readonly text: string;
  readonly trigger: Trigger;
  readonly collectedAtMs: number;
  /** Version from the device; falls back to the export header. */
  readonly version?: string | null;
  /**
   * Set by `rosarchive reseal`: the text is the decrypted archived file whose
   * sealed text has this SHA-256. The commit is then a re-seal; if the
   * archived file changed in between, nothing is committed (`conflict`).
   */
  readonly resealOf?: string;
}

/**
 * The seam between collection and archiving. Collectors (many SSH sessions,
 * no state of their own) submit checked exports; the archive side
 * (normalize → seal → one writer per tenant repository → notify) commits them
 * and answers with the result.
 *
 * In one process `submit` is a direct call: the tenant's writer already groups
 * concurrent submissions into one pack and one ref update. With remote
 * collectors (src/remote) the seam moves one step earlier: collectors
 * normalize and seal (plaintext never leaves them) and publish sealed
 * snapshots on a JetStream work queue per site; the core enters the archive
 * side at `commitSnapshot` and acknowledges after the commit.
 */
export interface SnapshotQueue {
  /** Resolves once the snapshot is committed (or found unchanged) and its event is in the outbox. */
  submit(snapshot: SnapshotInput): Promise<SnapshotResult & { version: string; resealed?: boolean; secretsMissing?: number }>;
}
