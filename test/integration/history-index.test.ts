import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { deviceHistory, PATH_INDEX_FILE, PathIndex, TenantRepo } from "../../src/archive/index.js";
import { commitText, openRepo } from "../helpers/archive.js";
import { git } from "../helpers/git.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const text = (n: number) => `# RouterOS 7.16.2\n/system note\nset note="revision ${n}"\n`;
const DEVICES = ["core-1.rsc", "fra/edge-2.rsc", "edge-3.rsc"];

/**
 * Appends `rounds` commits per device to main with stock git (fast-import),
 * as an outside writer or a restore would: the service learns of them only
 * from git.
 */
function outsideCommits(gitDir: string, rounds: number, from: number): void {
  const lines: string[] = [];
  let first = true;
  for (let r = 0; r < rounds; r++) {
    for (const p of DEVICES) {
      const msg = `${path.basename(p, ".rsc")}: outside\n\nDevice: ${path.basename(p, ".rsc")}\n`;
      const body = text(from + r);
      lines.push("commit refs/heads/main", `committer probe <p@x> ${1_700_000_000 + from + r} +0000`, `data ${Buffer.byteLength(msg)}`, msg);
      if (first) lines.push(`from ${git(gitDir, ["rev-parse", "main"]).trim()}`);
      first = false;
      lines.push(`M 100644 inline ${p}`, `data ${Buffer.byteLength(body)}`, body);
    }
  }
  lines.push("done", "");
  git(gitDir, ["fast-import", "--quiet", "--done"], lines.join("\n"));
}

/** What git itself says: newest first, every commit of main that touched `p`. */
const gitVersions = (gitDir: string, p: string) => git(gitDir, ["log", "--format=%H", "main", "--", p]).split("\n").filter(Boolean);

/** The commits of one page of `p`'s versions, newest first. */
const pageIds = async (index: PathIndex, p: string, before: string | null, limit: number) => (await index.page(p, before, limit)).versions.map((v) => v.commit);

/** Every version of `p` through the index, page by page (the cursor is the last entry of the page before). */
async function allPages(index: PathIndex, p: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  let before: string | null = null;
  for (;;) {
    const page: string[] = await pageIds(index, p, before, limit);
    out.push(...page);
    if (page.length < limit) return out;
    before = page[page.length - 1]!;
  }
}

function openIndex(gitDir: string, notices: string[] = [], pace?: () => Promise<void>): PathIndex {
  const tip = () => Promise.resolve(git(gitDir, ["rev-parse", "--verify", "-q", "main"]).trim() || null);
  return new PathIndex({ gitDir, mainTip: tip }, { file: path.join(gitDir, PATH_INDEX_FILE), onNotice: (e) => notices.push(e), ...(pace && { pace }) });
}

describe("history index (a cache of git, persisted beside the repository)", function () {
  this.timeout(120_000);

  it("many pages requested at once while main moved list every version once", async () => {
    const repo = await openRepo(path.join(tempDir(), "repos"));
    const commit = (n: number) => commitText(repo, "core-1.rsc", text(n), 1_700_000_000 + n);
    try {
      for (let n = 0; n < 5; n++) await commit(n);
      await repo.paths.ready(); // built at the old tip
      for (let round = 0; round < 5; round++) {
        for (let n = 0; n < 3; n++) await commit(100 * (round + 1) + n);
        // Readers that all see main moved at once, as SSE-driven browsers do.
        const pages = await Promise.all(Array.from({ length: 8 }, () => deviceHistory(repo, "core-1.rsc", { limit: 200, sectionOf: ROUTEROS.sectionOf })));
        for (const page of pages) {
          const ids = page.map((e) => e.commit);
          assert.equal(new Set(ids).size, ids.length, "no version twice");
          assert.equal(ids.length, 5 + 3 * (round + 1));
        }
      }
      assert.deepEqual((await deviceHistory(repo, "core-1.rsc", { limit: 200, sectionOf: ROUTEROS.sectionOf })).map((e) => e.commit), gitVersions(repo.gitDir, "core-1.rsc"));
    } finally {
      repo.close();
    }
  });

  it("is saved when the repository closes, used at the next start, and extended by what main gained while the service was down", async () => {
    const dataDir = path.join(tempDir(), "repos");
    const repo = await openRepo(dataDir);
    const gitDir = repo.gitDir;
    for (let n = 0; n < 4; n++) for (const p of DEVICES) await commitText(repo, p, text(n), 1_700_000_000 + n);
    await repo.paths.whenComplete();
    await repo.paths.close();
    repo.close();
    assert.ok(existsSync(path.join(gitDir, PATH_INDEX_FILE)), "the index is saved beside the repository");

    outsideCommits(gitDir, 3, 10); // main moves while nothing runs
    const notices: string[] = [];
    const index = openIndex(gitDir, notices);
    for (const p of DEVICES) assert.deepEqual(await allPages(index, p, 2), gitVersions(gitDir, p), p);
    assert.deepEqual(notices, ["history.index_loaded"], "loaded and extended, not rebuilt");
    assert.equal(index.status().head, git(gitDir, ["rev-parse", "main"]).trim());
    assert.equal(await index.latest("fra/edge-2.rsc"), gitVersions(gitDir, "fra/edge-2.rsc")[0]);
    const [newest, previous] = gitVersions(gitDir, "core-1.rsc");
    assert.equal(await index.previous("core-1.rsc", newest!), previous);
    // Each version carries its blob: the file as that commit left it.
    const page = await index.page("core-1.rsc", null, 3);
    for (const v of [...page.versions, page.previous!]) assert.equal(v.blob, git(gitDir, ["rev-parse", `${v.commit}:core-1.rsc`]).trim());
    index.stop();
  });

  for (const [name, damage] of [
    ["truncated", (b: Buffer) => b.subarray(0, b.length - 7)],
    ["altered in one byte", (b: Buffer) => Buffer.from(b.map((x, i) => (i === b.length >> 1 ? x ^ 0x10 : x)))],
    ["empty", () => Buffer.alloc(0)],
    ["of another format", () => Buffer.from("not an index\n")],
  ] as const) {
    it(`a saved index that is ${name} is rebuilt from git, never used`, async () => {
      const dataDir = path.join(tempDir(), "repos");
      const repo = await openRepo(dataDir);
      for (let n = 0; n < 3; n++) for (const p of DEVICES) await commitText(repo, p, text(n), 1_700_000_000 + n);
      await repo.paths.whenComplete();
      await repo.paths.close();
      repo.close();
      const file = path.join(repo.gitDir, PATH_INDEX_FILE);
      writeFileSync(file, damage(readFileSync(file)));
      const notices: string[] = [];
      const index = openIndex(repo.gitDir, notices);
      for (const p of DEVICES) assert.deepEqual(await allPages(index, p, 2), gitVersions(repo.gitDir, p), p);
      assert.ok(notices.includes("history.index_rebuild"), notices.join(","));
      assert.ok(!notices.includes("history.index_loaded"));
      await index.whenComplete();
      await index.close();
      const after: string[] = [];
      const again = openIndex(repo.gitDir, after);
      assert.deepEqual(await allPages(again, "core-1.rsc", 2), gitVersions(repo.gitDir, "core-1.rsc"));
      assert.deepEqual(after, ["history.index_loaded"], "the rebuilt index was saved in its place");
      again.stop();
    });
  }

  it("a repository replaced by a restore of another history is indexed again, not read through the old index", async () => {
    const base = tempDir();
    const a = await openRepo(path.join(base, "a"));
    for (let n = 0; n < 5; n++) for (const p of DEVICES) await commitText(a, p, text(n), 1_700_000_000 + n);
    await a.paths.whenComplete();
    await a.paths.close();
    a.close();
    // Another history of the same tenant (a restore from elsewhere), carrying the old saved index beside it.
    const b = await openRepo(path.join(base, "b"));
    for (let n = 0; n < 2; n++) for (const p of DEVICES) await commitText(b, p, text(100 + n), 1_800_000_000 + n);
    b.close();
    renameSync(a.gitDir, `${a.gitDir}.old`);
    renameSync(b.gitDir, a.gitDir);
    execFileSync("mkdir", ["-p", path.join(a.gitDir, "rosarchive")]);
    writeFileSync(path.join(a.gitDir, PATH_INDEX_FILE), readFileSync(path.join(`${a.gitDir}.old`, PATH_INDEX_FILE)));

    const notices: string[] = [];
    const index = openIndex(a.gitDir, notices);
    for (const p of DEVICES) {
      const pages = await allPages(index, p, 50);
      assert.equal(pages.length, 2, `${p}: only the restored history's versions`);
      assert.deepEqual(pages, gitVersions(a.gitDir, p));
    }
    assert.ok(notices.includes("history.index_foreign"), notices.join(","));
    index.stop();
  });

  it("a cold start answers history pages correctly from git while the index is still being built", async () => {
    const dataDir = path.join(tempDir(), "repos");
    const repo = await openRepo(dataDir);
    const gitDir = repo.gitDir;
    repo.close();
    outsideCommits(gitDir, 1500, 0); // 4,500 commits: more than one chunk of git's output
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const index = openIndex(gitDir, [], () => held);
    // The newest versions, a page deep in history, the cursor at the oldest version, every version:
    // each compared with git's own answer while the build waits after its first chunk.
    const truth = gitVersions(gitDir, "fra/edge-2.rsc");
    assert.deepEqual(await pageIds(index, "fra/edge-2.rsc", null, 50), truth.slice(0, 50));
    await until("the build to read its first chunk", 30_000, () => (index.status().entries > 0 ? true : undefined));
    assert.equal(index.status().complete, false, "the build is held half way");
    assert.deepEqual(await pageIds(index, "fra/edge-2.rsc", truth[1400]!, 50), truth.slice(1401, 1451));
    assert.deepEqual(await pageIds(index, "fra/edge-2.rsc", truth[1498]!, 50), truth.slice(1499));
    assert.deepEqual(await allPages(index, "core-1.rsc", 200), gitVersions(gitDir, "core-1.rsc"));
    assert.equal(await index.previous("edge-3.rsc", gitVersions(gitDir, "edge-3.rsc")[1200]!), gitVersions(gitDir, "edge-3.rsc")[1201]);
    assert.equal(await index.previous("edge-3.rsc", gitVersions(gitDir, "edge-3.rsc")[1499]!), null);
    assert.equal(index.status().complete, false);
    release();
    await index.whenComplete();
    assert.equal(index.status().complete, true);
    assert.deepEqual(await allPages(index, "fra/edge-2.rsc", 200), truth);
    await index.close();
    assert.ok(existsSync(path.join(gitDir, PATH_INDEX_FILE)));
  });

  it("the writer's own commits reach the index, and a restarted service reads them from the saved file", async () => {
    const dataDir = path.join(tempDir(), "repos");
    let repo = await openRepo(dataDir);
    await repo.paths.ready();
    for (let n = 0; n < 6; n++) for (const p of DEVICES) await commitText(repo, p, text(n), 1_700_000_000 + n);
    for (const p of DEVICES) assert.deepEqual((await deviceHistory(repo, p, { limit: 200, sectionOf: ROUTEROS.sectionOf })).map((e) => e.commit), gitVersions(repo.gitDir, p));
    await repo.paths.close();
    repo.close();
    const notices: string[] = [];
    repo = await TenantRepo.open(dataDir, "acme", { fsync: false, sectionOf: ROUTEROS.sectionOf, clock: Date.now, onNotice: (e) => notices.push(e) });
    try {
      for (const p of DEVICES) assert.deepEqual((await deviceHistory(repo, p, { limit: 4, sectionOf: ROUTEROS.sectionOf })).map((e) => e.commit), gitVersions(repo.gitDir, p).slice(0, 4));
      assert.deepEqual(notices, ["history.index_loaded"]);
    } finally {
      repo.close();
    }
  });
});
