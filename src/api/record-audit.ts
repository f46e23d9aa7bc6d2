import type { AuditAction } from "../store/index.js";
import type { Access, ApiDeps } from "./types.js";

/** One audit line for an action the caller performed; the answer waits until it is on disk. */
export async function recordAudit(deps: ApiDeps, access: Access, action: AuditAction, device: string | null, details: Record<string, unknown> = {}): Promise<void> {
  await deps.audit.append(access.tenant.id, { actor: access.actor, role: access.role, ip: access.ip, action, device, details });
}
