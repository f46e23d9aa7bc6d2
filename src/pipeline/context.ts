import type { HandshakeGate } from "../collect/index.js";
import type { Platform } from "../common/index.js";
import type { ConfigSource, DeviceConfig } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import type { EventSink } from "../notify/index.js";
import type { DeviceStateStore, SecretIndexStore } from "../store/index.js";
import type PQueue from "p-queue";
import type { DeviceLocks } from "./device-locks.js";
import type { RepoRegistry } from "../archive/index.js";
import type { LastExports } from "./last-exports.js";
import type { SnapshotQueue, SnapshotResult } from "./snapshot-queue.js";
import type { Trigger } from "../archive/index.js";

/**
 * Remote collection: the device's backup runs as a job on its site's queue;
 * `backup` publishes it and resolves with the snapshot's outcome (see src/remote).
 */
export interface RemoteBackup {
  backup(device: DeviceConfig, trigger: Trigger, signal?: AbortSignal): Promise<SnapshotResult>;
}

/**
 * Everything one backup or import needs, built once by the composition root
 * (cli) with `createPipelineContext`. Read-only: the configuration is read
 * through `config()` on every use, and only its owner (`LiveConfig`) changes it.
 */
/** When a device runs next, recorded in its state after each attempt (the scheduler's math, injected). */
export interface RunTiming {
  afterSuccess(device: DeviceConfig, now: number): number;
  /** After the `failures`-th transient failure in a row at `now`. */
  afterFailure(device: DeviceConfig, failures: number, now: number, backoffMs: readonly number[]): number;
}

export interface PipelineContext {
  readonly config: ConfigSource;
  readonly platform: Platform;
  readonly repos: RepoRegistry;
  readonly secrets: SecretIndexStore;
  readonly states: DeviceStateStore;
  readonly locks: DeviceLocks;
  /**
   * SSH sessions open at once, process-wide (`schedule.concurrency`): scheduled
   * and manual backups alike take a slot for collection only and give it
   * back before archiving, so a slow commit never holds a session.
   */
  readonly sshSessions: PQueue;
  /** Spaces out SSH handshakes that would all start at once (see HandshakeGate). */
  readonly sshHandshakes: HandshakeGate;
  /** Where collected exports go to be archived (see snapshot-queue.ts). */
  readonly archive: SnapshotQueue;
  /** What each device's last export became: the same export again is answered without normalizing or sealing. */
  readonly lastExports: LastExports;
  /** Set when a `nats:` block moves collection to remote collectors. */
  readonly remote?: RemoteBackup;
  readonly log: Logger;
  readonly events: EventSink;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: () => number;
  /** Random ids (event ids), injected so tests can pin them. */
  readonly ids: () => string;
  readonly timing: RunTiming;
  /** Optional observers (metrics); never allowed to fail a backup. */
  readonly observe?: {
    backup?(tenant: string, result: string, seconds: number): void;
    commit?(tenant: string): void;
    /** A commit that only re-sealed unchanged plaintext (no config.changed event). */
    reseal?(tenant: string): void;
    inFlight?(delta: number): void;
    /** A backup whose export held no secret where the last one had some. */
    secretsMissing?(tenant: string): void;
    /** A new snapshot of `device` is durable, commit and event (policy checks queue it here). */
    committed?(device: DeviceConfig, commit: string): void;
  };
}
