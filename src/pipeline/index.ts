export { archiveSnapshot, type SnapshotResult, type SnapshotInput } from "./archive-snapshot.js";
export { runBackup, acceptHostKey, resultCode } from "./run-backup.js";
export { importExport } from "./import-export.js";
export { createPipelineContext, type PipelineContext } from "./context.js";
export { DeviceLocks } from "./device-locks.js";
export { RepoRegistry } from "./repo-registry.js";
export { nextSlot, retryAt, stableOffsetMs } from "./next-run.js";
export { resolveCredentials } from "./credentials.js";
export { localSnapshotQueue, type SnapshotQueue } from "./snapshot-queue.js";
