import type { Platform } from "../common/index.js";
import type { Config } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import type { EventSink } from "../notify/index.js";
import { DeviceStateStore, SecretIndexStore } from "../store/index.js";
import { DeviceLocks } from "./device-locks.js";
import { RepoRegistry } from "./repo-registry.js";

/** Everything one backup or import needs, built once by the composition root (cli). */
export interface PipelineContext {
  config: Config;
  readonly platform: Platform;
  readonly repos: RepoRegistry;
  readonly secrets: SecretIndexStore;
  readonly states: DeviceStateStore;
  readonly locks: DeviceLocks;
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
  return {
    config: p.config,
    platform: p.platform,
    repos: new RepoRegistry(p.config.dataDir, { fsync: p.fsync ?? true }),
    secrets: new SecretIndexStore(p.config.stateDir),
    states: new DeviceStateStore(p.config.stateDir),
    locks: new DeviceLocks(),
    log: p.log,
    events: p.events,
    env: p.env,
    clock: p.clock ?? Date.now,
    ...(p.observe && { observe: p.observe }),
  };
}
