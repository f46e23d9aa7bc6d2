import { createHash } from "node:crypto";
import path from "node:path";
import type { Config, WebhookConfig } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import { readJsonFile, writeFileAtomic } from "../store/index.js";
import type { EventBus } from "./event-bus.js";
import type { EventSink, RosarchiveEvent } from "./events.js";
import type { HookRunner } from "./hooks.js";
import { queuedFiles, readdirSafe, SequenceClock } from "./queue-files.js";

/** One stored delivery: the body is serialized once, and every retry sends these exact bytes. */
export interface Delivery {
  readonly id: string;
  readonly event: string;
  readonly url: string;
  readonly created: number;
  readonly attempts: number;
  readonly next_attempt: number;
  readonly last_error: string | null;
  readonly body: string;
}

/** Per-webhook folder name: stable across restarts and reloads for the same URL. */
export function webhookKey(url: string): string {
  return createHash("sha256").update(url).digest("hex").slice(0, 16);
}

export interface OutboxOptions {
  readonly stateDir: string;
  readonly config: () => Config;
  readonly log: Logger;
  readonly clock?: () => number;
  readonly bus?: EventBus;
  readonly hooks?: HookRunner;
  /** Called after a delivery was written (the deliverer wakes up). */
  readonly onQueued?: () => void;
}

/**
 * Durable outbox: `emit` returns only after one file per subscribed
 * webhook is fsynced under `state_dir/outbox/<tenant>/<webhook>/`, and the
 * event's hook run under `state_dir/hook-queue/`, so a commit is never
 * reported done with its event only in memory. Live listeners (SSE) are told
 * at the same time.
 */
export class Outbox implements EventSink {
  readonly root: string;
  private readonly seq = new SequenceClock();
  /** The start-up scan of queued deliveries, shared by every emit until it ends. */
  private priming: Promise<void> | null = null;

  constructor(private readonly opts: OutboxOptions) {
    this.root = path.join(opts.stateDir, "outbox");
  }

  /**
   * Learns the names still queued before naming new ones. Every emit waits
   * for the same scan, and they resume in the order they called (one
   * promise's reactions run in order), so they are named in commit order; a
   * flag set before the scan ended let a later emit take a name first.
   */
  private prime(): Promise<void> {
    this.priming ??= listDeliveries(this.root).then((files) => {
      for (const file of files) this.seq.observe(path.basename(file));
    });
    return this.priming;
  }

  async emit(event: RosarchiveEvent): Promise<void> {
    const body = JSON.stringify(event);
    const tenant = this.opts.config().tenants.get(event.tenant);
    const now = (this.opts.clock ?? Date.now)();
    const hooks = (tenant?.webhooks ?? []).filter((w) => w.events.includes(event.event));
    const deliveries = async () => {
      if (hooks.length === 0) return;
      await this.prime();
      const name = `${this.seq.next(now)}-${event.id}.json`;
      await Promise.all(hooks.map((w) => this.store(event.tenant, w, { id: event.id, event: event.event, url: w.url, created: now, attempts: 0, next_attempt: now, last_error: null, body }, name)));
      this.opts.onQueued?.();
    };
    // Webhook deliveries and the hook run are both on disk before the commit is reported done.
    const [, hookRun] = await Promise.all([deliveries(), this.opts.hooks?.enqueue(event, body) ?? null]);
    this.opts.bus?.publish(event, body);
    if (hookRun) this.opts.hooks!.run(hookRun);
  }

  private async store(tenant: string, w: WebhookConfig, d: Delivery, name: string): Promise<void> {
    await writeFileAtomic(path.join(this.root, tenant, webhookKey(w.url), name), JSON.stringify(d));
  }
}

/** All delivery files, oldest first within each webhook folder. */
export async function listDeliveries(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const tenant of await readdirSafe(root)) {
    for (const hook of await readdirSafe(path.join(root, tenant))) {
      const dir = path.join(root, tenant, hook);
      for (const f of await queuedFiles(dir)) out.push(path.join(dir, f));
    }
  }
  return out;
}

export async function readDelivery(file: string): Promise<Delivery | null> {
  try {
    return await readJsonFile<Delivery>(file);
  } catch {
    return null;
  }
}
