import type { Request, Response } from "express";
import type { Role, TenantConfig } from "../config/index.js";
import type { EventBus } from "../notify/index.js";
import type { Logger } from "../observe/index.js";
import type { PipelineContext } from "../pipeline/index.js";
import type { AuditLog } from "../store/index.js";

/** Who is calling, once the token matched the tenant in the URL. */
export interface Access {
  readonly tenant: TenantConfig;
  /** Token name (the audit actor). */
  readonly actor: string;
  readonly role: Role;
  readonly ip: string;
}

/** Server-Sent Events for one tenant (SPEC §8 `GET /api/v1/tenants/{t}/events`), plugged in by its own module. */
export type SseHandler = (req: Request, res: Response, access: Access) => void | Promise<void>;

export interface ApiDeps {
  /** `ctx.config` is the live Config: read on every request (SIGHUP swaps it). */
  readonly ctx: PipelineContext;
  readonly audit: AuditLog;
  readonly log: Logger;
  readonly metrics?: { httpRequest?(route: string, status: number, seconds: number): void };
  /** Live events, for the SSE route. */
  readonly bus?: EventBus;
  readonly sse?: SseHandler;
  /** SSE heartbeat (`: ping`) interval; 15 s when absent. */
  readonly sseHeartbeatMs?: number;
  readonly now?: () => number;
}
