import { RUN_TIMING } from "../../src/scheduler/index.js";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { deviceHistory, STATS_FILE, summarize, type HistoryEntry } from "../../src/archive/index.js";
import { openRepo } from "../helpers/archive.js";
import { readConfigFile } from "../../src/cli/load.js";
import { silentLogger } from "../../src/observe/index.js";
import { NO_EVENTS } from "../../src/notify/index.js";
import { createPipelineContext, importExport } from "../../src/pipeline/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { FIXTURES, tempDir } from "../helpers/tmp.js";

const BASE = readFileSync(path.join(FIXTURES, "v7.18.2-wifi.rsc"), "utf8");
const q = { limit: 50, sectionOf: ROUTEROS.sectionOf };

/**
 * The history stats the writer records are a cache of what git
 * gives: a restarted service reads them instead of re-diffing, and a missing
 * or damaged file gives the same answers, computed from the repository.
 */
describe("history stats cache: recorded at commit, read after a restart, rebuilt from git", function () {
  this.timeout(60_000);
  let dir: string;
  let reposDir: string;
  let statsFile: string;
  let fromWriter: HistoryEntry[];
  let blobReads = 0;

  before(async () => {
    dir = tempDir();
    const file = writeConfig(dir, { recipient: keygen(dir).recipient, devices: [{ id: "core-1", group: "fra" }] });
    const config = readConfigFile(file);
    const ctx = createPipelineContext({ config: () => config, platform: ROUTEROS, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, fsync: false });
    const device = config.tenants.get("acme")!.devices[0]!;
    const versions = [
      BASE,
      `${BASE}\n/ip firewall filter\nadd action=drop chain=input comment="one"\n`,
      `${BASE}\n/ip firewall filter\nadd action=drop chain=input comment="two"\n/system note\nset note="n"\n`,
    ];
    for (const [i, text] of versions.entries()) {
      const input = path.join(dir, `v${i}.rsc`);
      writeFileSync(input, text);
      assert.equal((await importExport(ctx, device, input)).changed, true);
    }
    const repo = await ctx.repos.get("acme");
    await repo.stats.flushed();
    reposDir = path.join(dir, "repos");
    statsFile = path.join(reposDir, "acme.git", STATS_FILE);
    fromWriter = await deviceHistory(repo, "fra/core-1.rsc", q);
    await ctx.repos.closeAll();
  });

  /** A page from a freshly opened repository, and how many blobs it read. */
  const history = async () => {
    const repo = await openRepo(reposDir);
    const read = repo.readObject.bind(repo);
    blobReads = 0;
    repo.readObject = async (rev: string) => {
      const o = await read(rev);
      if (o?.type === "blob") blobReads++;
      return o;
    };
    try {
      return await deviceHistory(repo, "fra/core-1.rsc", q);
    } finally {
      await repo.stats.flushed();
      repo.close();
    }
  };

  it("the writer records one line per commit, with the stats of the two blobs", () => {
    const lines = readFileSync(statsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { c: string; p: string; a: number; r: number });
    assert.equal(lines.length, 3);
    const gitDir = path.join(reposDir, "acme.git");
    for (const l of lines) {
      assert.equal(l.p, "fra/core-1.rsc");
      const parent = git(gitDir, ["rev-parse", `${l.c}^`]).trim();
      const before = git(gitDir, ["rev-list", "--count", parent]).trim() === "1" ? null : git(gitDir, ["show", `${parent}:fra/core-1.rsc`]);
      const s = summarize(before, git(gitDir, ["show", `${l.c}:fra/core-1.rsc`]), ROUTEROS.sectionOf);
      assert.deepEqual([l.a, l.r], [s.stats.added, s.stats.removed], l.c);
    }
    assert.ok(!git(gitDir, ["ls-tree", "-r", "--name-only", "main"]).includes("rosarchive/"), "the cache is not in the history");
  });

  it("after a restart history is served from the file without reading a blob, identical to the writer's answer", async () => {
    assert.deepEqual(await history(), fromWriter);
    assert.equal(blobReads, 0);
  });

  it("without the file, or with a damaged one, the same answer comes from git", async () => {
    rmSync(statsFile);
    assert.deepEqual(await history(), fromWriter);
    assert.ok(blobReads >= 3, `computed from the blobs (${blobReads} read)`);
    assert.ok(existsSync(statsFile), "what was computed is written back");
    writeFileSync(statsFile, "not json\n{\"c\":\"zz\"}\n");
    appendFileSync(statsFile, '{"c":"' + "a".repeat(40) + '","p":"fra/core-1.rsc","a":-1,"r":0,"s":[]}\n{"c":"trunc');
    assert.deepEqual(await history(), fromWriter);
  });

  it("stock git still reads and fscks the repository with the cache folder in it", () => {
    git(path.join(reposDir, "acme.git"), ["fsck", "--strict", "--no-progress"]);
  });
});
