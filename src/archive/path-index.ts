import { runGit } from "./git.js";

/** What the index needs of its repository. */
export interface PathIndexSource {
  readonly gitDir: string;
  /** The commit `main` points to now, or null. */
  mainTip(): Promise<string | null>;
}

export interface PathIndexView {
  /** The tip of main the index reflects. */
  readonly head: string | null;
  /** Commits that touched each path, oldest first. */
  readonly byPath: ReadonlyMap<string, readonly string[]>;
}

/**
 * Which commits touched which file: built from one `git log --name-only`
 * pass and extended from git whenever main has moved. A cache of the
 * repository, never its source of truth: a history page then costs a lookup
 * instead of a path-limited walk of the whole history, whose Bloom filters
 * git 2.39 answers poorly for some paths.
 */
export class PathIndex {
  private head: string | null = null;
  private readonly byPath = new Map<string, string[]>();
  /** Extensions run one at a time, each from where the last one ended. */
  private extending: Promise<void> = Promise.resolve();

  constructor(private readonly repo: PathIndexSource) {}

  /**
   * The index at the current tip of main (built on first use, extended
   * after). Two requests that both saw main move must not both append the
   * same commits (a page would list a version twice), hence one chain.
   */
  async current(): Promise<PathIndexView> {
    const tip = await this.repo.mainTip();
    if (tip && tip !== this.head) {
      const run = this.extending.then(() => this.extend());
      this.extending = run.catch(() => this.reset()); // rebuilt from git on the next request
      await run;
    }
    return { head: this.head, byPath: this.byPath };
  }

  private reset(): void {
    this.head = null;
    this.byPath.clear();
  }

  private async extend(): Promise<void> {
    // Where main is now: never behind what an earlier extension reached, since main only moves forward.
    const now = await this.repo.mainTip();
    if (!now || now === this.head) return;
    const entries = await logPaths(this.repo.gitDir, this.head ? `${this.head}..${now}` : now);
    for (let i = entries.length - 1; i >= 0; i--) {
      for (const p of entries[i]!.paths) {
        let list = this.byPath.get(p);
        if (!list) this.byPath.set(p, (list = []));
        list.push(entries[i]!.commit);
      }
    }
    this.head = now;
  }
}

async function logPaths(gitDir: string, range: string): Promise<Array<{ commit: string; paths: string[] }>> {
  const r = await runGit({ gitDir, args: ["log", "--no-renames", "--name-only", "--format=%x1e%H"], revs: [range] });
  const out: Array<{ commit: string; paths: string[] }> = [];
  for (const chunk of r.stdout.toString("utf8").split("\x1e")) {
    if (!chunk) continue;
    const [commit, ...paths] = chunk.split("\n").filter((l) => l !== "");
    out.push({ commit: commit!, paths });
  }
  return out;
}
