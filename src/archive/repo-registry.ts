import { PackThread } from "./pack-thread.js";
import { RECENT_CONTENTS_BYTES, RecentContents } from "./recent-contents.js";
import { TenantRepo } from "./tenant-repo.js";

export interface RepoRegistryOptions {
  readonly sectionOf: (line: string) => string | null;
  readonly fsync?: boolean;
  readonly clock: () => number;
  readonly onNotice?: (event: string, facts: Record<string, unknown>) => void;
}

/**
 * One open TenantRepo (one writer) per tenant for the whole process, and
 * what they share: the pack thread and the contents written last. Each
 * repository keeps its own caches of git (path index, stats), as fields.
 */
export class RepoRegistry {
  private readonly repos = new Map<string, Promise<TenantRepo>>();
  private readonly packs = new PackThread();
  private readonly recent = new RecentContents(RECENT_CONTENTS_BYTES);

  constructor(readonly dataDir: string, private readonly opts: RepoRegistryOptions) {}

  get(tenant: string): Promise<TenantRepo> {
    let r = this.repos.get(tenant);
    if (!r) {
      r = TenantRepo.open(this.dataDir, tenant, { ...this.opts, packs: this.packs, recent: this.recent });
      r.catch(() => this.repos.delete(tenant));
      this.repos.set(tenant, r);
    }
    return r;
  }

  /** Waits for writes and maintenance, then closes every repository and the pack thread. */
  async closeAll(): Promise<void> {
    const all = [...this.repos.values()];
    this.repos.clear();
    for (const r of all) {
      try {
        const repo = await r;
        await repo.whenIdle();
        await repo.stats.flushed();
        await repo.paths.close();
        repo.close();
      } catch {
        /* failed to open: nothing to close */
      }
    }
    this.packs.close();
  }
}
