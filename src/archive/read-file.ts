import { commitTrailers } from "./history.js";
import type { TenantRepo } from "./tenant-repo.js";

export interface ArchivedFile {
  readonly commit: string;
  readonly content: Buffer;
  /** Collected-At trailer (RFC 3339), null when the commit has none. */
  readonly collectedAt: string | null;
}

/**
 * The device's file exactly as archived at `commit`, or null when that commit
 * is not one of the device's snapshots (its Device trailer names another
 * device, or the file is absent there): a commit of device A never serves as
 * a read of device B.
 */
export async function readDeviceFile(repo: TenantRepo, commit: string, filePath: string, device: string): Promise<ArchivedFile | null> {
  const trailers = await commitTrailers(repo, commit);
  if (!trailers || trailers.Device !== device) return null;
  const blob = await repo.readObject(`${commit}:${filePath}`);
  if (!blob || blob.type !== "blob") return null;
  return { commit, content: blob.body, collectedAt: trailers["Collected-At"] ?? null };
}
