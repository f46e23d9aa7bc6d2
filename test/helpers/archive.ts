import path from "node:path";
import { TenantRepo, type CommitRequest } from "../../src/archive/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";

/** A tenant repository opened alone (its own pack thread), without fsync: tests. */
export function openRepo(dataDir: string, tenant = "acme"): Promise<TenantRepo> {
  return TenantRepo.open(dataDir, tenant, { fsync: false, sectionOf: ROUTEROS.sectionOf, clock: Date.now });
}

/** Commit facts for the device a path names (`fra/core-1.rsc` -> core-1). */
export function factsFor(filePath: string, over: Partial<CommitRequest["facts"]> = {}): CommitRequest["facts"] {
  return { device: path.basename(filePath, ".rsc"), host: "10.0.0.1", routerosVersion: "7.16.2", trigger: "scheduled", collectedAt: "2026-11-22T10:00:00Z", normalizer: 1, ...over };
}

/** Commits `text` at `filePath` as a snapshot of the device the path names. */
export function commitText(repo: TenantRepo, filePath: string, text: string | null, authorTime = 1_700_000_000) {
  return repo.commitFile({ path: filePath, content: text === null ? null : Buffer.from(text), authorTime, facts: factsFor(filePath) });
}
