import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Simulator } from "../../src/simulator/index.js";
import { buildContext } from "../../src/cli/build-context.js";
import { readConfigFile } from "../../src/cli/load.js";
import { asRosarchiveError } from "../../src/common/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { runBackup, type PipelineContext } from "../../src/pipeline/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { commitCount, fsckStrict, git } from "../helpers/git.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";

/** Control characters (C0 but TAB and LF, DEL, C1) that no line of a state file or commit message may hold. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * What a router may write into commits and state: nothing but a version that
 * is a version. Backups as the service runs them against simulated routers,
 * read back with stock git and from the state files.
 */
describe("hostile version strings and control characters never reach a commit or a state file", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let dir: string;
  let config: string;
  let gitDir: string;
  let ctx: PipelineContext;
  const backup = async (device: string) => {
    try {
      const r = await runBackup(ctx, ctx.config().tenants.get("acme")!.deviceById.get(device)!, "manual");
      return { code: 0, out: { result: r.result, commit: r.commit } as { result?: string; commit?: string | null; error?: { code: string; message: string } } };
    } catch (raw) {
      const err = asRosarchiveError(raw);
      return { code: 1, out: { error: { code: err.code, message: err.message } } as { result?: string; commit?: string | null; error?: { code: string; message: string } } };
    }
  };
  const stateOf = (device: string) => readFileSync(path.join(dir, "state/devices/acme", `${device}.json`), "utf8");

  before(async () => {
    sim = await startDevices(3);
    dir = tempDir();
    const keys = keygen(dir);
    config = writeConfig(dir, { recipient: keys.recipient, devices: [0, 1, 2].map((i) => ({ id: `r${i}`, port: sim.devices.get(`dev-${i}`)!.port })) });
    writeFileSync(config, readFileSync(config, "utf8").replace("password: not-a-real-secret", "password_env: ROUTER_PASSWORD"));
    gitDir = path.join(dir, "repos/acme.git");
    ctx = buildContext(readConfigFile(config), { ROUTER_PASSWORD: TEST_PASSWORD }, { log: silentLogger() });
  });
  after(async () => {
    await ctx?.repos.closeAll();
    await sim?.stop();
  });

  it("a probe answer with an escape sequence, a bell, a NUL and markup is invalid_output: nothing committed, fsck --strict clean, no control character in state", async () => {
    sim.setVersion("dev-0", "7.16.2\u001b]0;x\u0007\u0000<script>");
    const r = await backup("r0");
    assert.equal(r.code, 1);
    assert.equal(r.out.error?.code, "invalid_output", JSON.stringify(r.out));
    const state = stateOf("r0");
    assert.doesNotMatch(state, CONTROL);
    assert.doesNotMatch(state, /\\u00(0[0-8]|1[0-9a-f]|7f)/i, "no escaped control character either");
    // Nothing was archived: the repository was not even created, or holds no file of r0.
    if (existsSync(gitDir)) {
      assert.equal(commitCount(gitDir, "r0.rsc"), 0);
      fsckStrict(gitDir);
    }
  });

  it("a version with markup but no control byte is refused too; a clean one is then archived as itself", async () => {
    sim.setVersion("dev-0", "7.16.2<script>");
    assert.equal((await backup("r0")).out.error?.code, "invalid_output");
    sim.setVersion("dev-0", "7.16.2");
    const ok = await backup("r0");
    assert.equal(ok.out.result, "changed", JSON.stringify(ok.out));
    assert.equal(git(gitDir, ["log", "-1", "--format=%(trailers:key=RouterOS-Version,valueonly)", "main"]).trim(), "7.16.2");
    assert.doesNotMatch(git(gitDir, ["log", "--format=%B", "main"]), CONTROL);
    fsckStrict(gitDir);
  });

  it("an export holding a raw escape byte is invalid_output and commits nothing", async () => {
    assert.equal((await backup("r1")).out.result, "changed");
    const before = commitCount(gitDir, "r1.rsc");
    sim.setExport("dev-1", readFixture(V7_FIXTURE).replace("/interface bridge", '/interface bridge\r\n# \u001b[31mred\u001b[0m\r\n/interface bridge'));
    const r = await backup("r1");
    assert.equal(r.out.error?.code, "invalid_output");
    assert.match(r.out.error!.message, /control character/);
    assert.equal(commitCount(gitDir, "r1.rsc"), before);
  });

  it("an upgrade within a major (7.17.2 -> 7.18.2) is recorded from the export's header: trailer, state", async () => {
    assert.equal((await backup("r2")).out.result, "changed");
    assert.equal(JSON.parse(stateOf("r2")).routeros_version, "7.17.2");
    sim.setVersion("dev-2", "7.18.2");
    const r = await backup("r2");
    assert.equal(r.out.result, "changed", "the header line changed");
    assert.equal(git(gitDir, ["log", "-1", "--format=%(trailers:key=RouterOS-Version,valueonly)", "main", "--", "r2.rsc"]).trim(), "7.18.2");
    assert.equal(JSON.parse(stateOf("r2")).routeros_version, "7.18.2");
  });
});
