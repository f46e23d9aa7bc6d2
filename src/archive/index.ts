export { TenantRepo, ensureBareRepo, type CommitOutcome, type CommitRequest } from "./tenant-repo.js";
export { runGit, gitText, gitEnv, GitPipe, GitError, type GitCall } from "./git.js";
export { summarize, summaryLine, sectionsOfLines, splitLines, HEADER_SECTION, type ChangeSummary, type SectionChange } from "./summarize.js";
export { commitMessage, parseTrailers, rfc3339, TRAILER_KEYS, type Trigger, type CommitFacts } from "./commit-message.js";
export { repositoryReadme } from "./readme-text.js";
export { pathIndex, deviceHistory, tenantHistory, latestCommitOf, resolveCommit, parentOf, commitTrailers, type HistoryEntry, type TimelineEntry, type HistoryQuery } from "./history.js";
export { readDeviceFile, type ArchivedFile } from "./read-file.js";
export { unifiedDiff, structuredDiff, type StructuredDiff } from "./diff.js";
export { recordStats, statsStore, STATS_FILE, type CommitStats } from "./history-stats.js";
