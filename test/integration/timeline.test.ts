import assert from "node:assert/strict";
import { tenantHistory, type TenantRepo } from "../../src/archive/index.js";
import { gitSearchPath, setGitSearchPath } from "../../src/archive/git.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { commitText, openRepo } from "../helpers/archive.js";
import { git } from "../helpers/git.js";
import { tempDir } from "../helpers/tmp.js";

const text = (n: number) => `# RouterOS 7.16.2\n/ip dns\nset servers=10.0.0.${n % 250}\n/system note\nset note="revision ${n}"\n${"/ip route\nadd gateway=10.1.1.1\n".repeat(n % 3)}`;
const GIT_ID = { name: "Outside", email: "outside@example.com" };

/** What git says the timeline is: newest first, each commit of main with a Device trailer, and the lines it added and removed in `files`. */
function truth(gitDir: string, files: Record<string, string>): Array<{ commit: string; device: string; added: number; removed: number }> {
  const out = [];
  for (const line of git(gitDir, ["log", "--format=%H %(trailers:key=Device,valueonly,separator=)", "main"]).split("\n").filter(Boolean)) {
    const [commit, device] = line.split(" ");
    if (!device) continue;
    const numstat = git(gitDir, ["show", "--numstat", "--format=", commit!, "--", files[device]!]).trim();
    const [added, removed] = numstat ? numstat.split("\t").map(Number) : [0, 0];
    out.push({ commit: commit!, device, added: added!, removed: removed! });
  }
  return out;
}

async function allPages(repo: TenantRepo, limit: number) {
  const out = [];
  let before: string | null = null;
  for (;;) {
    const page = await tenantHistory(repo, { limit, before, sectionOf: ROUTEROS.sectionOf });
    out.push(...page.map((e) => ({ commit: e.commit, device: e.device, added: e.stats.added, removed: e.stats.removed })));
    if (page.length < limit) return out;
    before = page[page.length - 1]!.commit;
  }
}

/**
 * The tenant timeline walks main through the object reader and takes what
 * each commit changed from the history index; git's log answers when the
 * index cannot. Either way the pages are what git says.
 */
describe("tenant timeline: from the history index, as git's log says", function () {
  this.timeout(60_000);
  const files = { "core-1": "core-1.rsc", "edge-2": "fra/edge-2.rsc", "edge-3": "edge-3.rsc" };

  it("pages every device commit once with the lines it changed, without starting git, and after an outside commit of two files", async () => {
    const repo = await openRepo(tempDir());
    try {
      for (let n = 1; n <= 7; n++) for (const p of Object.values(files)) await commitText(repo, p, text(n * 10 + p.length), 1_700_000_000 + n);
      await commitText(repo, "edge-3.rsc", null); // removed
      const expected = truth(repo.gitDir, files);
      assert.equal(expected.length, 22);
      // Without git on the search path only the long-lived reader (already running) and the index can answer.
      await repo.paths.whenComplete(); // serve warms the index at start
      const searchPath = gitSearchPath();
      setGitSearchPath("/nonexistent");
      try {
        assert.deepEqual(await allPages(repo, 4), expected);
      } finally {
        setGitSearchPath(searchPath);
      }
      // A commit made outside that changed two files, under one device's trailer: that device's file is its change.
      const blob = (n: number) => git(repo.gitDir, ["hash-object", "-w", "--stdin"], text(n)).trim();
      const kept = git(repo.gitDir, ["ls-tree", "main"]).split("\n").filter((l) => l && !l.endsWith("\tcore-1.rsc"));
      const tree = git(repo.gitDir, ["mktree"], [...kept, `100644 blob ${blob(901)}\tcore-1.rsc`, `100644 blob ${blob(902)}\tedge-3.rsc`].join("\n") + "\n").trim();
      const both = git(repo.gitDir, ["-c", `user.name=${GIT_ID.name}`, "-c", `user.email=${GIT_ID.email}`, "commit-tree", tree, "-p", "main", "-m", "core-1: by hand\n\nDevice: core-1"]).trim();
      git(repo.gitDir, ["update-ref", "refs/heads/main", both]);
      const after = truth(repo.gitDir, files);
      assert.equal(after[0]!.commit, both);
      assert.deepEqual(await allPages(repo, 5), after);
    } finally {
      repo.close();
    }
  });

  it("a merge on main is listed in git's order (git's log answers that page)", async () => {
    const repo = await openRepo(tempDir());
    try {
      for (let n = 1; n <= 3; n++) for (const p of Object.values(files)) await commitText(repo, p, text(n * 7 + p.length), 1_700_000_000 + n);
      const tip = git(repo.gitDir, ["rev-parse", "main"]).trim();
      const env = ["-c", `user.name=${GIT_ID.name}`, "-c", `user.email=${GIT_ID.email}`];
      const side = git(repo.gitDir, [...env, "commit-tree", `${tip}^{tree}`, "-p", `${tip}~2`, "-m", "edge-2: side\n\nDevice: edge-2"]).trim();
      const merge = git(repo.gitDir, [...env, "commit-tree", `${tip}^{tree}`, "-p", tip, "-p", side, "-m", "core-1: merged\n\nDevice: core-1"]).trim();
      git(repo.gitDir, ["update-ref", "refs/heads/main", merge]);
      const page = await tenantHistory(repo, { limit: 50, before: null, sectionOf: ROUTEROS.sectionOf });
      assert.deepEqual(
        page.map((e) => e.commit),
        truth(repo.gitDir, files).map((e) => e.commit),
      );
      assert.ok(page.some((e) => e.commit === side));
    } finally {
      repo.close();
    }
  });
});
