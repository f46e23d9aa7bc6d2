import { promises as fs } from "node:fs";
import path from "node:path";
import { GitPipe, parseBatchObject, runGit } from "../archive/index.js";
import { RosarchiveError } from "../common/index.js";
import type { SourceFile, SourceVersion } from "./types.js";

/** One git repository of the source, read-only. */
export interface SourceRepo {
  /** Folder name without `.git`: the group when `--repo` named a folder of per-group repositories. */
  readonly name: string;
  readonly gitDir: string;
  /** The group this repository holds (per-group layouts), else null. */
  readonly group: string | null;
}

async function isDir(p: string): Promise<boolean> {
  return fs.stat(p).then((s) => s.isDirectory(), () => false);
}

/** The git directory of `dir`: itself when bare, its `.git` (folder or `gitdir:` file) when a working copy, else null. */
async function gitDirOf(dir: string): Promise<string | null> {
  const [head, objects] = await Promise.all([fs.stat(path.join(dir, "HEAD")).catch(() => null), isDir(path.join(dir, "objects"))]);
  if (head?.isFile() && objects) return dir;
  const dotGit = path.join(dir, ".git");
  const st = await fs.stat(dotGit).catch(() => null);
  if (st?.isDirectory()) return dotGit;
  if (st?.isFile()) {
    const m = /^gitdir: (.+)$/m.exec(await fs.readFile(dotGit, "utf8"));
    if (m) return path.resolve(dir, m[1]!.trim());
  }
  return null;
}

const repoName = (dir: string) => path.basename(dir).replace(/\.git$/, "");

/**
 * `--repo PATH`: one repository (Oxidized's single repository, a RANCID group
 * or a converted CVS tree), or a folder of them, one per group (Oxidized's
 * per-group repositories beside the configured one, RANCID's `CVS` folder of
 * bare repositories or its base folder of working copies). Sorted by name.
 */
export async function findSourceRepos(root: string): Promise<SourceRepo[]> {
  const abs = path.resolve(root);
  if (!(await isDir(abs))) throw new RosarchiveError("invalid_input", `--repo ${abs}: no such folder`);
  const own = await gitDirOf(abs);
  if (own) return [{ name: repoName(abs), gitDir: own, group: null }];
  const repos: SourceRepo[] = [];
  for (const entry of (await fs.readdir(abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const gitDir = await gitDirOf(path.join(abs, entry.name));
    if (gitDir) repos.push({ name: repoName(entry.name), gitDir, group: repoName(entry.name) });
  }
  if (repos.length === 0) {
    throw new RosarchiveError("invalid_input", `--repo ${abs}: neither a git repository nor a folder of git repositories (give the Oxidized repository, the folder of its per-group repositories, or RANCID's CVS folder)`);
  }
  return repos;
}

/**
 * Every version of every file on the repository's `HEAD`, oldest first: one
 * `git log --raw` (added and modified files; deletions are not versions).
 */
export async function readSourceFiles(repo: SourceRepo): Promise<SourceFile[]> {
  const head = await runGit({ gitDir: repo.gitDir, args: ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], okCodes: [1, 128] });
  if (head.code !== 0) return []; // an empty repository
  const r = await runGit({
    gitDir: repo.gitDir,
    args: ["log", "--reverse", "--topo-order", "--no-renames", "--no-abbrev", "--raw", "-z", "--format=%x1e%H %at"],
    revs: ["HEAD"],
  });
  const byPath = new Map<string, SourceVersion[]>();
  for (const c of parseRawLog(r.stdout)) {
    for (const ch of c.changes) {
      let list = byPath.get(ch.path);
      if (!list) byPath.set(ch.path, (list = []));
      list.push({ commit: c.commit, time: c.time, blob: ch.blob, seq: c.seq });
    }
  }
  return [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, versions]) => ({ repo: repo.name, path: p, versions }));
}

export interface RawCommit {
  readonly commit: string;
  readonly time: number;
  readonly seq: number;
  readonly changes: ReadonlyArray<{ readonly path: string; readonly blob: string }>;
}

/**
 * Pure: `git log -z --raw --format=%x1e%H %at` → commits with their added or
 * modified regular files (mode 100644/100755). Deletions, symlinks and
 * submodules are left out.
 */
export function parseRawLog(out: Buffer): RawCommit[] {
  const commits: RawCommit[] = [];
  for (const chunk of out.toString("utf8").split("\x1e")) {
    if (!chunk) continue;
    const fields = chunk.split("\0");
    const [commit, at] = fields[0]!.trim().split(" ");
    const changes: Array<{ path: string; blob: string }> = [];
    for (let i = 1; i + 1 < fields.length; i += 2) {
      // `:100644 100644 <old> <new> M` then the path.
      const meta = fields[i]!.replace(/^\n/, "");
      const m = /^:\d{6} (\d{6}) [0-9a-f]+ ([0-9a-f]+) ([A-Z])/.exec(meta);
      if (!m) continue;
      const [, mode, blob, status] = m;
      if ((status === "A" || status === "M" || status === "T") && (mode === "100644" || mode === "100755")) changes.push({ path: fields[i + 1]!, blob: blob! });
    }
    commits.push({ commit: commit!, time: Number(at), seq: commits.length, changes });
  }
  return commits;
}

/** Blobs of one source repository through one long-lived `git cat-file --batch`. */
export class BlobReader {
  private readonly pipe: GitPipe;
  constructor(gitDir: string) {
    this.pipe = new GitPipe(gitDir, ["cat-file", "--batch"]);
  }

  async read(blob: string): Promise<Buffer> {
    if (!/^[0-9a-f]{40,64}$/.test(blob)) throw new RosarchiveError("bad_parameter", "not a blob id");
    const got = (await this.pipe.request(`${blob}\n`, parseBatchObject))?.body;
    if (!got) throw new RosarchiveError("error", `blob ${blob} is missing from the source repository (run git fsck there)`);
    return got;
  }

  close(): void {
    this.pipe.close();
  }
}

