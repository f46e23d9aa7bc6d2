export { migrateHistory, extractVersion, type MigrateOptions, type MigrateDeps, type MigrationReport, type SkippedNode } from "./migrate-history.js";
export { formatReport } from "./format-report.js";
export { extractOxidizedExport } from "./oxidized-export.js";
export { extractRancidExport } from "./rancid-export.js";
export { pathMeaning, type PathMeaning } from "./layout.js";
export { mapNodes, type DevicePlan, type MappableDevice, type NodeFile, type UnmappedFile } from "./map-nodes.js";
export { replay, type ReplayDeps, type ReplayProgress, type ReplayResult, type LastImported, type Submitted, type DeviceOutcome, type VersionSkip } from "./replay.js";
export { findSourceRepos, readSourceFiles, parseRawLog, BlobReader, type SourceRepo } from "./source-repos.js";
export type { Extracted, SkipReason, SourceFile, SourceNode, SourceTool, SourceVersion } from "./types.js";
