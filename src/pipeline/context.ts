import type { Platform } from "../common/index.js";
import type { Config } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import type { EventSink } from "../notify/index.js";
import { DeviceStateStore, SecretIndexStore } from "../store/index.js";
import PQueue from "p-queue";
import { DeviceLocks } from "./device-locks.js";
import { RepoRegistry } from "./repo-registry.js";
import { localSnapshotQueue, type SnapshotQueue } from "./snapshot-queue.js";

/** Everything one backup or import needs, built once by the composition root (cli). */
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

export function createPipelineContext(p: {
  config: Config;
  platform: Platform;
  log: Logger;
  events: EventSink;
  env: NodeJS.ProcessEnv;
  clock?: () => number;
  fsync?: boolean;
  observe?: PipelineContext["observe"];
}): PipelineContext {
  const ctx: PipelineContext = {
    config: p.config,
    platform: p.platform,
    repos: new RepoRegistry(p.config.dataDir, { fsync: p.fsync ?? true }),
    secrets: new SecretIndexStore(p.config.stateDir),
    states: new DeviceStateStore(p.config.stateDir),
    locks: new DeviceLocks(),
    sshSessions: new PQueue({ concurrency: p.config.schedule.concurrency }),
    archive: localSnapshotQueue(() => ctx),
    log: p.log,
    events: p.events,
    env: p.env,
    clock: p.clock ?? Date.now,
    ...(p.observe && { observe: p.observe }),
  };
  return ctx;
}
