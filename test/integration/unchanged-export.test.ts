import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { readConfigFile } from "../../src/cli/load.js";
import { LiveConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { NO_EVENTS } from "../../src/notify/index.js";
import { archiveSnapshot, createPipelineContext, type PipelineContext } from "../../src/pipeline/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { RUN_TIMING } from "../../src/scheduler/index.js";
import { commitText } from "../helpers/archive.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { FIXTURES, tempDir } from "../helpers/tmp.js";

const EXPORT = readFileSync(path.join(FIXTURES, "v7.17.2-chr-verbose-sensitive.rsc"), "utf8");

/**
 * An unchanged backup is answered from the memory of the device's last
 * export without normalizing or sealing it again; whatever that memory
 * depends on changing (the archived file, the sealing state, the
 * recipients) sends the export through the whole path again.
 */
describe("unchanged exports: answered from the last one only while nothing it depends on changed", function () {
  this.timeout(60_000);
  let dir: string;
  let live: LiveConfig;
  let ctx: PipelineContext;
  let recipient: string;
  let normalized = 0;
  const snapshot = (text = EXPORT) => archiveSnapshot(ctx, { device: live.source().tenants.get("acme")!.devices[0]!, text, trigger: "scheduled", collectedAtMs: Date.parse("2026-01-01T00:00:00Z") });
  const gitDir = () => path.join(dir, "repos/acme.git");
  const archived = () => git(gitDir(), ["show", "main:core-1.rsc"]);

  beforeEach(async () => {
    dir = tempDir();
    recipient = keygen(dir).recipient;
    live = new LiveConfig(readConfigFile(writeConfig(dir, { recipient, devices: [{ id: "core-1" }] })));
    normalized = 0;
    // hasMenuLine runs on every normalized export: counting it counts the exports that took the whole path.
    const platform = { ...ROUTEROS, hasMenuLine: (text: string) => (normalized++, ROUTEROS.hasMenuLine(text)) };
    ctx = createPipelineContext({ config: live.source, platform, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, fsync: false });
  });
  afterEach(() => ctx.repos.closeAll());

  it("the same export again is unchanged, names the last commit, and commits nothing", async () => {
    const first = await snapshot();
    const again = await snapshot();
    assert.deepEqual([first.changed, again.changed, again.commit], [true, false, first.commit]);
    assert.equal(git(gitDir(), ["rev-list", "--count", "main"]).trim(), "2");
  });

  it("the same configuration exported later (another date in the header) is answered from memory; a changed one is not", async () => {
    assert.match(EXPORT, /^# \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} by RouterOS /);
    const later = EXPORT.replace(/^# \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/, "# 2027-03-04 05:06:07");
    assert.notEqual(later, EXPORT);
    await snapshot();
    assert.equal(normalized, 1);
    const again = await snapshot(later);
    assert.equal(again.changed, false);
    assert.equal(normalized, 1, "not normalized or sealed again");
    const changed = await snapshot(later.replace(/\n\/system identity\n/, "\n/system note\nset note=changed\n/system identity\n"));
    assert.equal(normalized, 2, "a changed export takes the whole path");
    assert.equal(changed.changed, true);
  });

  it("the same export after the archived file changed elsewhere is committed back", async () => {
    await snapshot();
    const sealed = archived();
    await snapshot();
    // Another writer (a restore, an import from another process) puts other content at the device's path.
    const repo = await ctx.repos.get("acme");
    await commitText(repo, "core-1.rsc", "/system note\nset note=elsewhere\n");
    const back = await snapshot();
    assert.equal(back.changed, true);
    assert.equal(archived(), sealed, "the device's export, sealed with the same ciphertexts, is archived again");
  });

  it("the same export after the device's sealing state was lost is sealed again from the state on disk", async () => {
    await snapshot();
    const state = path.join(dir, "state/secrets/acme/core-1.json");
    assert.ok(existsSync(state));
    rmSync(state);
    await snapshot();
    assert.ok(existsSync(state), "the full path ran: it wrote the state anew");
  });

  it("the same export after a reload with another recipient is re-sealed to it", async () => {
    await snapshot();
    const before = archived();
    const otherDir = path.join(dir, "other");
    mkdirSync(otherDir);
    const other = keygen(otherDir).recipient;
    live.replace(readConfigFile(writeConfig(dir, { recipient: `${recipient}, ${other}`, devices: [{ id: "core-1" }] })));
    const r = await snapshot();
    assert.deepEqual([r.changed, r.resealed], [true, true]);
    assert.notEqual(archived(), before);
    assert.equal((await snapshot()).changed, false, "then unchanged again");
  });
});
