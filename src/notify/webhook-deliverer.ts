import { promises as fs } from "node:fs";
import path from "node:path";
import type { Config, WebhookConfig } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import { writeFileAtomic } from "../store/index.js";
import { readDelivery, webhookKey, type Delivery } from "./outbox.js";
import { queuedFiles, readdirSafe } from "./queue-files.js";
import { signBody, standardWebhookHeaders } from "./sign.js";

export interface DelivererOptions {
  readonly stateDir: string;
  readonly config: () => Config;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  readonly clock?: () => number;
  /** The HTTP client (the platform's fetch, injected by the composition root). */
  readonly fetch: typeof fetch;
  readonly pollMs?: number;
  /** Delay before retry n (1-based); default 10 s doubling to 1 h. */
  readonly backoff?: (attempt: number) => number;
  /** Deliveries older than this are moved to `outbox-dead/` (at least 24 h of retries). */
  readonly giveUpAfterMs?: number;
  readonly onResult?: (result: "delivered" | "failed" | "dropped") => void;
  readonly onDepth?: (depth: number) => void;
}

const RESPONSE_READ_LIMIT = 16 * 1024;

export function defaultBackoff(attempt: number, startMs = 10_000): number {
  return Math.min(startMs * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

/**
 * Sends the outbox: each webhook folder is one ordered queue whose head must
 * succeed (2xx) before the next is sent, so a receiver sees its events in
 * commit order. Redirects are not followed; each request has a deadline; an
 * answer body is read no further than a small limit.
 */
export class WebhookDeliverer {
  private timer: NodeJS.Timeout | null = null;
  private readonly busy = new Set<string>();
  private stopped = false;
  private scanning: Promise<void> | null = null;
  private readonly root: string;

  constructor(private readonly opts: DelivererOptions) {
    this.root = path.join(opts.stateDir, "outbox");
  }

  start(): void {
    this.timer = setInterval(() => this.wake(), this.opts.pollMs ?? 1000);
    this.timer.unref?.();
    this.wake();
  }

  /** Look for due deliveries now. */
  wake(): void {
    if (this.stopped || this.scanning) return;
    this.scanning = this.scan().finally(() => (this.scanning = null));
  }

  private now(): number {
    return (this.opts.clock ?? Date.now)();
  }

  private async scan(): Promise<void> {
    let depth = 0;
    for (const tenant of await readdirSafe(this.root)) {
      for (const key of await readdirSafe(path.join(this.root, tenant))) {
        const dir = path.join(this.root, tenant, key);
        const files = (await readdirSafe(dir)).filter((n) => n.endsWith(".json") && !n.startsWith("."));
        depth += files.length;
        if (files.length > 0 && !this.busy.has(dir)) {
          this.busy.add(dir);
          void this.drainQueue(tenant, key, dir).finally(() => this.busy.delete(dir));
        }
      }
    }
    this.opts.onDepth?.(depth);
  }

  private webhookFor(tenant: string, key: string): WebhookConfig | null {
    const t = this.opts.config().tenants.get(tenant);
    return t?.webhooks.find((w) => webhookKey(w.url) === key) ?? null;
  }

  /** Sends this webhook's deliveries in order until one is not yet due or fails. */
  private async drainQueue(tenant: string, key: string, dir: string): Promise<void> {
    while (!this.stopped) {
      const files = await queuedFiles(dir);
      if (files.length === 0) return;
      const file = path.join(dir, files[0]!);
      const d = await readDelivery(file);
      if (!d) {
        await this.moveDead(tenant, file, "unreadable delivery file");
        continue;
      }
      const hook = this.webhookFor(tenant, key);
      if (!hook) {
        // The webhook left the config: its queue can never be delivered.
        this.opts.log.warn({ event: "webhook.dropped", tenant, delivery: d.id, reason: "webhook no longer configured" });
        await this.moveDead(tenant, file, "webhook removed from config");
        this.opts.onResult?.("dropped");
        continue;
      }
      if (d.next_attempt > this.now()) return;
      const ok = await this.send(tenant, hook, d, file);
      if (!ok) return;
    }
  }

  private async secretOf(hook: WebhookConfig): Promise<string | null> {
    if (hook.secret_env) return this.opts.env[hook.secret_env] ?? null;
    if (hook.secret_file) {
      try {
        return (await fs.readFile(hook.secret_file, "utf8")).trim();
      } catch {
        return null;
      }
    }
    return null;
  }

  private async send(tenant: string, hook: WebhookConfig, d: Delivery, file: string): Promise<boolean> {
    const body = Buffer.from(d.body, "utf8");
    const secret = await this.secretOf(hook);
    let error: string | null = null;
    let status = 0;
    if (secret === null) {
      error = `webhook secret is not available (${hook.secret_env ? `env ${hook.secret_env}` : `file ${hook.secret_file}`})`;
    } else {
      try {
        const res = await this.opts.fetch(hook.url, {
          method: "POST",
          redirect: "manual",
          signal: AbortSignal.timeout(this.opts.config().limits.webhookTimeoutMs),
          headers: {
            "Content-Type": "application/json",
            "User-Agent": "rosarchive/0.1",
            "X-Rosarchive-Event": d.event,
            "X-Rosarchive-Delivery": d.id,
            "X-Rosarchive-Signature-256": signBody(secret, body),
            ...standardWebhookHeaders(secret, d.id, Math.floor(this.now() / 1000), body),
          },
          body,
        });
        status = res.status;
        await readLimited(res, RESPONSE_READ_LIMIT);
        if (status < 200 || status > 299) error = `HTTP ${status}`;
      } catch (err) {
        error = (err as Error).name === "TimeoutError" ? "timeout" : ((err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
      }
    }
    if (error === null) {
      await fs.rm(file, { force: true });
      this.opts.onResult?.("delivered");
      this.opts.log.info({ event: "webhook.delivered", tenant, delivery: d.id, kind: d.event, status, attempts: d.attempts + 1 });
      return true;
    }
    this.opts.onResult?.("failed");
    const attempts = d.attempts + 1;
    const now = this.now();
    if (now - d.created > (this.opts.giveUpAfterMs ?? 48 * 3_600_000)) {
      this.opts.log.error({ event: "webhook.gave_up", tenant, delivery: d.id, attempts, error });
      await this.moveDead(tenant, file, error);
      return true;
    }
    const next = now + (this.opts.backoff ? this.opts.backoff(attempts) : defaultBackoff(attempts, this.opts.config().limits.webhookRetryStartMs));
    await writeFileAtomic(file, JSON.stringify({ ...d, attempts, next_attempt: next, last_error: error }));
    this.opts.log.warn({ event: "webhook.failed", tenant, delivery: d.id, attempts, error, retry_in_ms: next - now });
    return false;
  }

  private async moveDead(tenant: string, file: string, why: string): Promise<void> {
    const dead = path.join(this.opts.stateDir, "outbox-dead", tenant);
    await fs.mkdir(dead, { recursive: true });
    await fs.rename(file, path.join(dead, path.basename(file))).catch(() => fs.rm(file, { force: true }));
    this.opts.log.warn({ event: "webhook.dead_letter", tenant, file: path.basename(file), why });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.scanning;
  }
}

async function readLimited(res: Response, limit: number): Promise<void> {
  if (!res.body) return;
  const reader = res.body.getReader();
  let seen = 0;
  try {
    while (seen < limit) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
