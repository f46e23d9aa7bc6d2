import type { Platform } from "../common/index.js";
import type { Config } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import type { EventSink } from "../notify/index.js";
import type { DeviceStateStore, SecretIndexStore } from "../store/index.js";
import type PQueue from "p-queue";
import type { DeviceLocks } from "./device-locks.js";
import type { RepoRegistry } from "./repo-registry.js";
import type { SnapshotQueue } from "./snapshot-queue.js";

/** Everything one backup or import needs, built once by the composition root (cli) with `createPipelineContext`. */
export interface PipelineContext {
  config: Config;
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
  /** Where collected exports go to be archived (see snapshot-queue.ts). */
  readonly archive: SnapshotQueue;
  readonly log: Logger;
  readonly events: EventSink;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: () => number;
  /** Optional observers (metrics); never allowed to fail a backup. */
  readonly observe?: {
    backup?(tenant: string, result: string, seconds: number): void;
    commit?(tenant: string): void;
    inFlight?(delta: number): void;
  };
}
