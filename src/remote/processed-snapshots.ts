import { promises as fs } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../store/index.js";

interface Entry {
  readonly issuedAt: number;
  readonly device: string;
}

interface TenantLog {
  /** job id → entry, oldest first (Map keeps insertion order). */
  readonly jobs: Map<string, Entry>;
  /** Newest job issue time processed per device: an older job's snapshot is stale. */
  readonly newest: Map<string, number>;
  lines: number;
  writing: Promise<void>;
}

/**
 * A small durable record of the snapshots the core has processed, per
 * tenant (`state_dir/remote/processed/<tenant>.log`, one `job issued_at
 * device` line each, kept to the newest `limit`). A redelivered snapshot
 * (a lost ack, a collector that died after publishing, a core killed before
 * its ack) is acknowledged again and changes nothing: no second commit, no
 * second event. Lines are appended after the commit, whose own fsync comes
 * first; a line lost in a crash is caught by the archive itself (the same
 * sealed text makes no commit).
 */
export class ProcessedSnapshots {
  private readonly tenants = new Map<string, Promise<TenantLog>>();
  constructor(private readonly stateDir: string, private readonly limit = 20_000) {}

  private file(tenant: string): string {
    return path.join(this.stateDir, "remote", "processed", `${tenant}.log`);
  }

  private load(tenant: string): Promise<TenantLog> {
    let p = this.tenants.get(tenant);
    if (!p) {
      p = (async () => {
        const log: TenantLog = { jobs: new Map(), newest: new Map(), lines: 0, writing: Promise.resolve() };
        let text = "";
        try {
          text = await fs.readFile(this.file(tenant), "utf8");
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        }
        for (const line of text.split("\n")) {
          const [job, issued, device, mark] = line.split(" ");
          if (!job || !issued || !device || !Number.isFinite(Number(issued))) continue; // a torn last line after a crash
          if (mark === "begun") noteNewest(log, device, Number(issued));
          else remember(log, job, { issuedAt: Number(issued), device });
          log.lines++;
        }
        return log;
      })();
      p.catch(() => this.tenants.delete(tenant));
      this.tenants.set(tenant, p);
    }
    return p;
  }

  async has(tenant: string, job: string): Promise<boolean> {
    return (await this.load(tenant)).jobs.has(job);
  }

  /** The issue time of the newest job processed for the device, or 0. */
  async newestFor(tenant: string, device: string): Promise<number> {
    return (await this.load(tenant)).newest.get(device) ?? 0;
  }

  /**
   * Before a snapshot's commit: its job's issue time already counts as the
   * device's newest, so that after a crash between the commit and `add` an
   * older job's snapshot redelivered first cannot move the archive back.
   */
  async begin(tenant: string, job: string, issuedAt: number, device: string): Promise<void> {
    const log = await this.load(tenant);
    if ((log.newest.get(device) ?? 0) >= issuedAt) return;
    noteNewest(log, device, issuedAt);
    log.lines++;
    await this.append(tenant, log, `${job} ${issuedAt} ${device} begun\n`);
  }

  private async append(tenant: string, log: TenantLog, line: string): Promise<void> {
    const file = this.file(tenant);
    log.writing = log.writing.then(async () => {
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await fs.appendFile(file, line, { mode: 0o600 });
    });
    await log.writing;
  }

  /** After the snapshot is archived (and before its ack): a redelivery is acknowledged and changes nothing. */
  async add(tenant: string, job: string, issuedAt: number, device: string): Promise<void> {
    const log = await this.load(tenant);
    if (log.jobs.has(job)) return;
    remember(log, job, { issuedAt, device });
    log.lines++;
    const file = this.file(tenant);
    log.writing = log.writing.then(async () => {
      if (log.lines > 2 * this.limit) {
        const keep = [...log.jobs.entries()].slice(-this.limit);
        log.jobs.clear();
        for (const [k, v] of keep) log.jobs.set(k, v);
        // The newest issue time per device survives compaction as a begun line.
        const newest = [...log.newest.entries()].map(([d, t]) => `newest ${t} ${d} begun\n`).join("");
        await writeFileAtomic(file, newest + keep.map(([k, v]) => `${k} ${v.issuedAt} ${v.device}\n`).join(""));
        log.lines = keep.length + log.newest.size;
      } else {
        await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        await fs.appendFile(file, `${job} ${issuedAt} ${device}\n`, { mode: 0o600 });
      }
    });
    await log.writing;
  }
}

function remember(log: TenantLog, job: string, e: Entry): void {
  log.jobs.set(job, e);
  noteNewest(log, e.device, e.issuedAt);
}

function noteNewest(log: TenantLog, device: string, issuedAt: number): void {
  if ((log.newest.get(device) ?? 0) < issuedAt) log.newest.set(device, issuedAt);
}
