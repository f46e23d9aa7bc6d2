import { TenantRepo } from "../archive/index.js";

/** One open TenantRepo (one writer) per tenant for the whole process. */
export class RepoRegistry {
  private readonly repos = new Map<string, Promise<TenantRepo>>();
  constructor(private readonly dataDir: string, private readonly opts: { fsync?: boolean } = {}) {}

  get(tenant: string): Promise<TenantRepo> {
    let r = this.repos.get(tenant);
    if (!r) {
      r = TenantRepo.open(this.dataDir, tenant, this.opts);
      r.catch(() => this.repos.delete(tenant));
      this.repos.set(tenant, r);
    }
    return r;
  }

  async closeAll(): Promise<void> {
    const all = [...this.repos.values()];
    this.repos.clear();
    for (const r of all) {
      try {
        const repo = await r;
        await repo.whenIdle();
        repo.close();
      } catch {
        /* failed to open: nothing to close */
      }
    }
  }
}
