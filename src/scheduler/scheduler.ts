import { setMaxListeners } from "node:events";
import PQueue from "p-queue";
import type { Config, DeviceConfig } from "../config/index.js";
import { runBackup, type PipelineContext } from "../pipeline/index.js";
import { planNextRun } from "./plan.js";

interface Entry {
  device: DeviceConfig;
  dueAt: number | null;
  running: boolean;
  /** Blocked (host key or auth): its state file is re-read every blockedRecheckMs, as an admin may clear it from the CLI. */
  blocked: boolean;
  /** While handed to the queue but not yet started: the time it was due (scheduler lag). */
  waitingSince: number | null;
  /** Re-read the state file at this time. */
  recheckAt: number;
}

export interface SchedulerOptions {
  /** How often due times are checked. */
  readonly tickMs?: number;
  /** How long a blocked device's state file is left alone between looks. */
  readonly blockedRecheckMs?: number;
  /** On stop, in-flight backups get this long before they are aborted (never half-committed). */
  readonly stopGraceMs?: number;
}

/**
 * Backups in flight per SSH session slot: while one device's export is being
 * archived, the next device's collection already uses the slot.
 */
export const IN_FLIGHT_PER_SESSION = 2;

function inFlight(config: Config): number {
  // Remote collectors pace themselves; the core only bounds the jobs it waits on.
  if (config.nats) return config.nats.maxInFlight;
  return config.schedule.concurrency * IN_FLIGHT_PER_SESSION;
}

/**
 * One in-process loop for the whole fleet: a tick finds due devices and hands
 * them to one queue that bounds backups in flight; SSH sessions are bounded by
 * `ctx.sshSessions` (`schedule.concurrency`). No worker or timer per
 * device, so 10,000 devices cost 10,000 small records.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: PQueue;
  private timer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();
  private stopped = false;
  private loading: Promise<void> | null = null;

  constructor(private readonly ctx: PipelineContext, private readonly opts: SchedulerOptions = {}) {
    this.queue = new PQueue({ concurrency: inFlight(ctx.config()) });
    setMaxListeners(0, this.abort.signal); // one listener per running backup, by design
  }

  async start(): Promise<void> {
    await this.load(this.ctx.config());
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 1000);
    this.timer.unref?.();
    this.tick();
  }

  /** After a reload (the live config changed): new device list and limits; running backups finish under the old settings. */
  async reload(): Promise<void> {
    const config = this.ctx.config();
    this.queue.concurrency = inFlight(config);
    await this.load(config);
  }

  private async load(config: Config): Promise<void> {
    const run = async () => {
      const now = this.ctx.clock();
      const seen = new Set<string>();
      for (const tenant of config.tenants.values()) {
        for (const device of tenant.devices) {
          const key = `${device.tenant}/${device.id}`;
          seen.add(key);
          const old = this.entries.get(key);
          const state = await this.ctx.states.get(device.tenant, device.id);
          const dueAt = planNextRun(device, state, now, config.schedule.firstRunWindowMs);
          const blocked = state.status === "blocked";
          if (old) {
            old.device = device;
            old.blocked = blocked;
            if (!old.running) old.dueAt = dueAt;
          } else {
            this.entries.set(key, { device, dueAt, running: false, blocked, waitingSince: null, recheckAt: now + (this.opts.blockedRecheckMs ?? 15_000) });
          }
        }
      }
      for (const key of [...this.entries.keys()]) if (!seen.has(key)) this.entries.delete(key);
    };
    this.loading = run();
    try {
      await this.loading;
    } finally {
      this.loading = null;
    }
  }

  /**
   * Hands every device due at `ctx.clock()` to the queue. The loop calls it
   * every `tickMs`; a test with a fake clock calls it after moving the clock,
   * then waits for `idle()`.
   */
  tick(): void {
    if (this.stopped || this.loading) return;
    const now = this.ctx.clock();
    for (const entry of this.entries.values()) {
      if (entry.running) continue;
      if ((entry.dueAt === null || entry.blocked) && now >= entry.recheckAt && entry.device.enabled) this.recheck(entry, now);
      if (entry.dueAt === null) continue;
      if (entry.dueAt <= now) this.dispatch(entry);
    }
  }

  /** Re-reads a blocked device's state: an admin may have cleared the block from another process (the CLI). */
  private recheck(entry: Entry, now: number): void {
    entry.recheckAt = now + (this.opts.blockedRecheckMs ?? 15_000);
    void this.ctx.states.get(entry.device.tenant, entry.device.id).then(
      (s) => {
        if (entry.running) return;
        entry.blocked = s.status === "blocked";
        entry.dueAt = planNextRun(entry.device, s, this.ctx.clock(), this.ctx.config().schedule.firstRunWindowMs);
      },
      () => {},
    );
  }

  /**
   * "Back up all now": every enabled device of `tenant` that `include` keeps
   * and that may run (not waiting for an admin) falls due at once; the queue
   * still bounds how many run together. Returns how many were scheduled.
   */
  runNow(tenant: string, include: (device: DeviceConfig) => boolean = () => true): number {
    const now = this.ctx.clock();
    let n = 0;
    for (const entry of this.entries.values()) {
      if (entry.device.tenant !== tenant || !include(entry.device) || entry.dueAt === null) continue;
      n++;
      if (!entry.running) entry.dueAt = Math.min(entry.dueAt, now);
    }
    this.tick();
    return n;
  }

  /** When the scheduler will run a device next (epoch ms), or null when it waits for an admin or is disabled. */
  plannedRun(tenant: string, device: string): number | null {
    return this.entries.get(`${tenant}/${device}`)?.dueAt ?? null;
  }

  private dispatch(entry: Entry): void {
    entry.running = true;
    entry.waitingSince = entry.dueAt;
    void this.queue.add(async () => {
      entry.waitingSince = null;
      const { device } = entry;
      if (this.stopped) return;
      try {
        await runBackup(this.ctx, device, "scheduled", { signal: this.abort.signal });
      } catch {
        // runBackup logged, counted and recorded it; the state's next_run carries the backoff
      } finally {
        try {
          const state = await this.ctx.states.get(device.tenant, device.id);
          entry.blocked = state.status === "blocked";
          entry.dueAt = planNextRun(device, state, this.ctx.clock() + 1, this.ctx.config().schedule.firstRunWindowMs);
        } catch {
          entry.dueAt = this.ctx.clock() + device.intervalMs;
        }
        entry.running = false;
      }
    });
  }

  /** Resolves when no backup runs or waits (each one's next run is planned by then). */
  async idle(): Promise<void> {
    await this.queue.onIdle();
  }

  /**
   * How far behind the schedule is, in ms: the longest a due backup has been
   * waiting to start (not yet handed to the queue, or queued behind the
   * concurrency limit). Near 0 when the fleet fits its interval.
   */
  lagMs(now = this.ctx.clock()): number {
    let lag = 0;
    for (const e of this.entries.values()) {
      const since = e.running ? e.waitingSince : e.dueAt;
      if (since !== null && since < now) lag = Math.max(lag, now - since);
    }
    return lag;
  }

  /** Devices known and how many backups run or wait right now. */
  status(): { devices: number; running: number; queued: number } {
    return { devices: this.entries.size, running: this.queue.pending, queued: this.queue.size };
  }

  /** SIGTERM: no new runs; in-flight ones finish within the grace period or are aborted (nothing half-committed). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.queue.clear();
    const grace = setTimeout(() => this.abort.abort(), this.opts.stopGraceMs ?? 20_000);
    try {
      await this.queue.onIdle();
    } finally {
      clearTimeout(grace);
    }
  }
}
