import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildContext } from "../../src/cli/build-context.js";
import type { RosarchiveError } from "../../src/common/index.js";
import { readConfigFile } from "../../src/cli/load.js";
import { silentLogger } from "../../src/observe/index.js";
import { acceptHostKey, runBackup, type PipelineContext } from "../../src/pipeline/index.js";
import type { SimFault, Simulator } from "../../src/simulator/index.js";
import { keygen, writeConfig } from "../helpers/cli.js";
import { commitCount, fsckStrict, git } from "../helpers/git.js";
import { startDevices, TEST_PASSWORD } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";

/** Export cap for this suite: small, so "bounded memory" is a visible margin below what the devices send. */
const CAP = 16 * 1024 * 1024;
/** RSS growth allowed while one hostile device is collected (the cap, ssh2's buffers, V8 slack). */
const RSS_MARGIN = 96 * 1024 * 1024;

interface Case {
  readonly fault: SimFault;
  readonly what: string;
  readonly code: string;
  /** What the operator reads in the error. */
  readonly says: RegExp;
  readonly status: "failing" | "blocked";
}

const CASES: readonly Case[] = [
  { fault: "endless", what: "endless output", code: "invalid_output", says: /reached the \d+-byte limit/, status: "failing" },
  { fault: "huge", what: "100 MiB of output", code: "invalid_output", says: /reached the \d+-byte limit/, status: "failing" },
  { fault: "garbage", what: "binary output with invalid UTF-8", code: "invalid_output", says: /NUL bytes|not valid UTF-8/, status: "failing" },
  { fault: "long_line", what: "a single 10 MiB line", code: "invalid_output", says: /line 3 .* characters long/, status: "failing" },
  { fault: "truncate", what: "an export that stops mid-line", code: "invalid_output", says: /truncated/, status: "failing" },
  { fault: "drop", what: "a connection cut mid-export", code: "invalid_output", says: /truncated/, status: "failing" },
  { fault: "byte_at_a_time", what: "one byte at a time", code: "timeout", says: /\d+ ms|timed out|time/, status: "failing" },
  { fault: "rekey_new_host_key", what: "a host key swap between connect and export (first contact)", code: "host_key_mismatch", says: /presented host key SHA256:\S+, but SHA256:\S+ was presented earlier in the same session/, status: "blocked" },
];

/** Samples this process's RSS every 10 ms while `fn` runs; returns the peak growth in bytes. */
async function rssGrowth(fn: () => Promise<unknown>): Promise<number> {
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    await fn();
  } finally {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  return peak - start;
}

/** Each misbehaving router gets a clear error state, costs bounded memory and commits nothing. */
describe("hostile devices: a clear error, bounded memory, no commit", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let dir: string;
  let ctx: PipelineContext;
  let gitDir: string;
  const ids = [...CASES.map((c) => c.fault), "pinned"];
  const device = (id: string) => ctx.config().tenants.get("acme")!.devices.find((d) => d.id === id)!;
  const backup = (id: string) => runBackup(ctx, device(id), "manual");

  before(async () => {
    sim = await startDevices(ids.length, (i) => (i < CASES.length ? { fault: CASES[i]!.fault } : {}));
    dir = tempDir();
    const keys = keygen(dir);
    const file = writeConfig(dir, {
      recipient: keys.recipient,
      devices: ids.map((id, i) => ({ id, port: sim.devices.get(`dev-${i}`)!.port })),
      extra: `schedule: { connect_timeout: 3s, command_timeout: 4s, backoff: [1m] }\nlimits: { max_export_bytes: ${CAP} }`,
    });
    writeFileSync(file, readFileSync(file, "utf8").replace("password: not-a-real-secret", "password_env: ROUTER_PASSWORD"));
    ctx = buildContext(readConfigFile(file), { ROUTER_PASSWORD: TEST_PASSWORD }, { log: silentLogger() });
    gitDir = path.join(dir, "repos/acme.git");
    // One good device first: the repository exists, so "no commit" compares real tips.
    assert.equal((await backup("pinned")).changed, true);
  });
  after(() => sim?.stop());


  CASES.forEach((c) => {
    it(`${c.what}: ${c.code}, state ${c.status}, no commit, RSS growth under ${RSS_MARGIN >> 20} MiB`, async () => {
      const commitsBefore = commitCount(gitDir);
      let error: RosarchiveError | null = null;
      const growth = await rssGrowth(() => backup(c.fault).then(
        () => assert.fail("a hostile device was archived"),
        (err: RosarchiveError) => (error = err),
      ));
      assert.ok(error, "the backup failed");
      const err = error as RosarchiveError;
      assert.equal(err.code, c.code, err.message);
      assert.match(err.message, c.says);
      assert.ok(err.message.length > 20 && err.message.length < 400, `a clear, short message: ${err.message}`);
      assert.ok(!/x{100}|simulated huge/.test(err.message), "the message does not quote device output");
      const state = await ctx.states.get("acme", c.fault);
      assert.equal(state.status, c.status);
      assert.equal(state.last_error?.code, c.code);
      assert.equal(state.last_success, null);
      assert.equal(commitCount(gitDir), commitsBefore, "nothing was committed");
      assert.ok(growth < RSS_MARGIN, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
    });
  });

  it("a mid-session key swap on a pinned device blocks it (pinned and presented fingerprints kept) until a key is accepted", async () => {
    const pinned = (await ctx.states.get("acme", "pinned")).host_key!;
    assert.equal(pinned, sim.devices.get(`dev-${ids.indexOf("pinned")}`)!.hostKeyFingerprint);
    const commitsBefore = commitCount(gitDir);

    sim.setFault(`dev-${ids.indexOf("pinned")}`, "rekey_new_host_key");
    await assert.rejects(backup("pinned"), (err: RosarchiveError) => err.code === "host_key_mismatch");
    const state = await ctx.states.get("acme", "pinned");
    assert.equal(state.status, "blocked");
    assert.equal(state.host_key, pinned, "the pinned key is kept");
    const presented = state.presented_host_key;
    assert.match(String(presented), /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.notEqual(presented, pinned);
    assert.equal(commitCount(gitDir), commitsBefore, "nothing was committed");
    // Blocked: the next attempt does not even connect.
    const connections = sim.devices.get(`dev-${ids.indexOf("pinned")}`)!.stats.connections;
    await assert.rejects(backup("pinned"), (err: RosarchiveError) => err.code === "host_key_mismatch");
    assert.equal(sim.devices.get(`dev-${ids.indexOf("pinned")}`)!.stats.connections, connections);

    // The device is fixed and presents its original key; the operator accepts exactly that one again.
    sim.setFault(`dev-${ids.indexOf("pinned")}`, null);
    await acceptHostKey(ctx, device("pinned"), pinned, "test-admin");
    const again = await backup("pinned");
    assert.equal(again.changed, false);
    assert.equal((await ctx.states.get("acme", "pinned")).host_key, pinned);
  });

  it("after all of it the repository is intact: fsck clean, one commit for the one good export", () => {
    fsckStrict(gitDir);
    assert.deepEqual(git(gitDir, ["ls-tree", "--name-only", "main"]).trim().split("\n").sort(), ["README.md", "pinned.rsc"]);
  });
});
