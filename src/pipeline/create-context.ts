import PQueue from "p-queue";
import type { Platform } from "../common/index.js";
import type { Config } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import type { EventSink } from "../notify/index.js";
import { DeviceStateStore, SecretIndexStore } from "../store/index.js";
import { archiveSnapshot } from "./archive-snapshot.js";
import type { PipelineContext } from "./context.js";
import { DeviceLocks } from "./device-locks.js";
import { RepoRegistry } from "./repo-registry.js";

/** Wires a pipeline context: stores, locks, SSH session slots and the in-process snapshot queue. */
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
    // In one process the queue is a call into the archive path; see snapshot-queue.ts.
    archive: { submit: (snapshot) => archiveSnapshot(ctx, snapshot) },
    log: p.log,
    events: p.events,
    env: p.env,
    clock: p.clock ?? Date.now,
    ...(p.observe && { observe: p.observe }),
  };
  return ctx;
}
