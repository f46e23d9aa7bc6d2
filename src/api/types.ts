import type { Request, Response } from "express";
import type { Platform } from "../common/index.js";
import type { ConfigSource, DeviceConfig, Role, TenantConfig } from "../config/index.js";
import type { EventBus } from "../notify/index.js";
import type { Logger } from "../observe/index.js";
import type { RepoRegistry } from "../archive/index.js";
import type { SnapshotResult } from "../pipeline/index.js";
import type { AuditLog, DeviceState, DeviceStateStore } from "../store/index.js";
import type { DeniedTally } from "./denied-tally.js";
import type { EventStreams } from "./event-streams.js";
import type { GitProcessSlots } from "./git-slots.js";
import type { DirectoryEntry, SourceStatus } from "../inventory/index.js";
import type { PolicyRunner, PolicyStore } from "../policy/index.js";

/** Who is calling, once the token matched the tenant in the URL. */
export interface Access {
  readonly tenant: TenantConfig;
  /** Token name (the audit actor). */
  readonly actor: string;
  readonly role: Role;
  readonly ip: string;
  /** The token's configured sha256: what identifies it across a reload (open event streams). */
  readonly tokenSha256: string;
}

/** Server-Sent Events for one tenant (`GET /api/v1/tenants/{t}/events`), plugged in by its own module. */
export type SseHandler = (req: Request, res: Response, access: Access) => void | Promise<void>;

/** A remote collector as the core last heard it, for one of its sites. */
export interface CollectorInfo {
  readonly id: string;
  readonly site: string;
  readonly version: string;
  readonly in_flight: number;
  readonly concurrency: number;
  readonly jobs_done: number;
  readonly started_at: string;
  readonly last_seen: string;
  readonly live: boolean;
}

/** What the API may do to a device besides reading it. */
export interface DeviceActions {
  /** A manual backup now (409 busy, 502/504 on collection failures). */
  backup(device: DeviceConfig): Promise<SnapshotResult>;
  /** Pins exactly `fingerprint` and clears a host-key block (409 when not so blocked, or another key is presented). */
  acceptHostKey(device: DeviceConfig, fingerprint: string, by: string): Promise<{ before: DeviceState; after: DeviceState }>;
  /** Clears an auth_failed block (409 when not so blocked). */
  unblock(device: DeviceConfig, by: string): Promise<{ before: DeviceState; after: DeviceState }>;
}

/** The inventory as the API sees it: sources' status, confirmations, retired devices. */
export interface InventoryAccess {
  status(tenant: string): readonly SourceStatus[];
  confirm(tenant: string, source: string, who: { actor: string; role: Role; ip: string; digest: string | null }): Promise<{ readonly removed: readonly string[] }>;
  retired(tenant: string): Promise<readonly DirectoryEntry[]>;
}

/** The scheduler, as the API sees it. */
export interface ScheduleAccess {
  /** Epoch ms of a device's next run, or null when it waits for an admin or is disabled. */
  plannedRun(tenant: string, device: string): number | null;
  /** "Back up all now" for a tenant (or one group of it): how many devices were scheduled. */
  runNow(tenant: string, group: string | null): number;
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
  /** The scheduler of a running service (absent in a bare app: "back up all" answers 501). */
  readonly schedule?: ScheduleAccess;
  /** Live events, for the SSE route. */
  readonly bus?: EventBus;
  readonly sse?: SseHandler;
  /** SSE heartbeat (`: ping`) interval; 15 s when absent. */
  readonly sseHeartbeatMs?: number;
  readonly now?: () => number;
  /** Counts denied requests and writes them to the audit log in aggregate (denied-tally.ts). */
  readonly denied?: DeniedTally;
  /** Open event streams: per-token cap, closed when their token or tenant leaves the config. */
  readonly streams?: EventStreams;
  /** `git http-backend` processes at once, whole process and per token. */
  readonly gitSlots?: GitProcessSlots;
  /** Remote collectors heard from (a `nats:` block); absent in one-process mode. */
  readonly collectors?: { list(): readonly CollectorInfo[] };
  /** Policy results and the fleet run; absent, the policy routes answer 501 and devices carry no summary. */
  readonly policy?: { readonly store: PolicyStore; readonly runner: PolicyRunner };
}
