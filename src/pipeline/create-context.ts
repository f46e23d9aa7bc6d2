import { randomUUID } from "node:crypto";
import PQueue from "p-queue";
import { HandshakeGate } from "../collect/index.js";
import type { Platform } from "../common/index.js";
import type { ConfigSource } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import type { EventSink } from "../notify/index.js";
import { DeviceStateStore, SecretIndexStore } from "../store/index.js";
import { archiveSnapshot } from "./archive-snapshot.js";
import type { PipelineContext, RunTiming } from "./context.js";
import { DeviceLocks } from "./device-locks.js";
import { LastExports } from "./last-exports.js";
import { RepoRegistry } from "../archive/index.js";

/** Wires a pipeline context: stores, locks, SSH session slots and the in-process snapshot queue. */
export function createPipelineContext(p: {
  config: ConfigSource;
  platform: Platform;
  log: Logger;
  events: EventSink;
  env: NodeJS.ProcessEnv;
  clock?: () => number;
  ids?: () => string;
  timing: RunTiming;
  fsync?: boolean;
  observe?: PipelineContext["observe"];
  /** Remote collection, built once the context exists (it archives through it). */
  remote?: (ctx: PipelineContext) => NonNullable<PipelineContext["remote"]>;
}): PipelineContext {
  // Where data lives is fixed for the life of the process; a reload changes devices, tokens and limits.
  const initial = p.config();
  const ctx: PipelineContext = {
    config: p.config,
    platform: p.platform,
    repos: new RepoRegistry(initial.dataDir, {
      fsync: p.fsync ?? true,
      sectionOf: p.platform.sectionOf,
      clock: p.clock ?? Date.now,
      onNotice: (event, facts) => p.log.info({ event, ...facts }),
    }),
    secrets: new SecretIndexStore(initial.stateDir, 4096, initial.encryption.indexKeyFile),
    states: new DeviceStateStore(initial.stateDir),
    locks: new DeviceLocks(),
    sshSessions: new PQueue({ concurrency: initial.schedule.concurrency }),
    sshHandshakes: new HandshakeGate(),
    // In one process the queue is a call into the archive path; see snapshot-queue.ts.
    archive: { submit: (snapshot) => archiveSnapshot(ctx, snapshot) },
    lastExports: new LastExports(),
    log: p.log,
    events: p.events,
    env: p.env,
    clock: p.clock ?? Date.now,
    ids: p.ids ?? randomUUID,
    timing: p.timing,
    ...(p.observe && { observe: p.observe }),
  };
  if (p.remote) return Object.assign(ctx, { remote: p.remote(ctx) });
  return ctx;
}
