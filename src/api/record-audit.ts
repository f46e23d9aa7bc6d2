import type { AuditAction } from "../store/index.js";
import type { Access, ApiDeps } from "./types.js";

/**
 * Reads whose audit line is written by the next group commit without the
 * answer waiting for it. A crash may lose the entries of the batch not yet on
 * disk (the last few milliseconds of reads); the answers already went out.
 */
const READS: ReadonlySet<AuditAction> = new Set(["config.read", "diff.read", "repo.clone", "search.read", "compare.read"]);

/** Past this many entries waiting for disk, reads wait too (a stalled disk must not grow memory without end). */
export const READ_BACKLOG = 10_000;

/**
 * One audit line for an action the caller performed. Actions that change
 * something or reveal secrets (backup.manual, hostkey.accepted,
 * device.unblocked, config.read_decrypted) answer only once their line is on
 * disk; plain reads are queued for the next group commit.
 */
export async function recordAudit(deps: ApiDeps, access: Access, action: AuditAction, device: string | null, details: Record<string, unknown> = {}): Promise<void> {
  const tenant = access.tenant.id;
  const written = deps.audit.append(tenant, { actor: access.actor, role: access.role, ip: access.ip, action, device, details });
  if (READS.has(action) && deps.audit.pending(tenant) <= READ_BACKLOG) {
    written.catch((err) => deps.log.error({ event: "audit.failed", tenant, action, msg: (err as Error).message }));
    return;
  }
  await written;
}
