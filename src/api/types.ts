import type { Request, Response } from "express";
import type { Platform } from "../common/index.js";
import type { ConfigSource, DeviceConfig, Role, TenantConfig } from "../config/index.js";
import type { EventBus } from "../notify/index.js";
import type { Logger } from "../observe/index.js";
import type { RepoRegistry } from "../archive/index.js";
import type { SnapshotResult } from "../pipeline/index.js";
import type { AuditLog, DeviceState, DeviceStateStore } from "../store/index.js";
import type { DirectoryEntry, SourceStatus } from "../inventory/index.js";

/** Who is calling, once the token matched the tenant in the URL. */
export interface Access {
  readonly tenant: TenantConfig;
  /** Token name (the audit actor). */
  readonly actor: string;
  readonly role: Role;
  readonly ip: string;
}

/** Server-Sent Events for one tenant (`GET /api/v1/tenants/{t}/events`), plugged in by its own module. */
export type SseHandler = (req: Request, res: Response, access: Access) => void | Promise<void>;

/** What the API may do to a device besides reading it. */
export interface DeviceActions {
  /** A manual backup now (409 busy, 502/504 on collection failures). */
  backup(device: DeviceConfig): Promise<SnapshotResult>;
  /** Clears a host-key block; the next contact pins the presented key. */
  acceptHostKey(device: DeviceConfig): Promise<DeviceState>;
}

/** The inventory as the API sees it: sources' status, confirmations, retired devices. */
export interface InventoryAccess {
  status(tenant: string): readonly SourceStatus[];
  confirm(tenant: string, source: string, who: { actor: string; role: Role; ip: string; digest: string | null }): Promise<{ readonly removed: readonly string[] }>;
  retired(tenant: string): Promise<readonly DirectoryEntry[]>;
}

/** Everything the HTTP API reads or calls: nothing more (it never sees the whole pipeline). */
export interface ApiDeps {
  /** The live configuration, read on every request (a SIGHUP reload changes tokens, devices and limits). */
  readonly config: ConfigSource;
  readonly platform: Platform;
  readonly repos: RepoRegistry;
  readonly states: DeviceStateStore;
  readonly devices: DeviceActions;
  /** Inventory sources and retired devices; absent in a build without them (no sources, nothing retired). */
  readonly inventory?: InventoryAccess;
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
