import { usableKeyPair } from "../../src/simulator/index.js";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import ssh2 from "ssh2";
import { collectExport, type CollectOptions, type SshTarget } from "../../src/collect/index.js";
import { RosarchiveError } from "../../src/common/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { clientKeyPair, readFixture, startDevices, targetOf, TEST_PASSWORD, V6_FIXTURE } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";

const opts = (over: Partial<CollectOptions> = {}): CollectOptions => ({
  platform: ROUTEROS,
  pinnedFingerprint: null,
  knownVersion: null,
  connectTimeoutMs: 5000,
  commandTimeoutMs: 5000,
  ...over,
});

async function rejectsWith(p: Promise<unknown>, code: string): Promise<RosarchiveError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof RosarchiveError, `expected a RosarchiveError, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    assert.ok(!err.message.includes(TEST_PASSWORD), "error message leaks the password");
    return err;
  }
  assert.fail(`expected ${code}, but the collection succeeded`);
}

describe("collectExport against simulated RouterOS devices", function () {
  this.timeout(30000);
  let sim: Simulator;
  const key = clientKeyPair();
  const ids = ["v7", "v6", "legacy", "kbd", "pk", "fault"];

  before(async () => {
    const v6 = readFixture(V6_FIXTURE);
    sim = await startDevices(ids.length, (i) => {
      const id = ids[i]!;
      switch (id) {
        case "v6":
          return { id, version: "6.48.4", exportText: v6 };
        case "legacy":
          // Old RouterOS v6 SSH: group14-sha1, CBC, hmac-sha1, ssh-rsa only.
          return { id, version: "6.48.4", exportText: v6, legacyAlgorithms: true, hostKey: ssh2.utils.generateKeyPairSync("rsa", { bits: 2048 }).private };
        case "kbd":
          return { id, authMethods: ["keyboard-interactive"] };
        case "pk":
          return { id, password: undefined, publicKeys: [key.publicKey] };
        default:
          return { id, hostKey: usableKeyPair().private };
      }
    });
  });
  after(() => sim.stop());
  afterEach(() => sim.setFault("fault", null));

  it("collects a v7 export with show-sensitive on one connection in one answer: secrets present, version probed on the same line", async () => {
    const dev = sim.devices.get("v7")!;
    const before = { ...dev.stats, commands: [...dev.stats.commands] };
    const r = await collectExport(targetOf(sim, "v7"), opts());
    assert.equal(r.version, "7.17.2");
    assert.deepEqual(dev.stats.commands.slice(before.commands.length), [":put [/system resource get version]; /export show-sensitive"]);
    assert.equal(dev.stats.connections - before.connections, 1);
    assert.match(r.text, /private-key="yGQ3FH40WUmzvhHvXI3h\/1VaVCRaswXXhOtRQTjymUg="/);
    assert.match(r.text, /^# \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by RouterOS 7\.17\.2\r\n/);
    assert.equal(r.fingerprint, dev.hostKeyFingerprint);
    assert.equal(r.bytes, Buffer.byteLength(r.text));
  });

  it("collects a v6 export with plain /export (v6 refuses the one-line first contact and show-sensitive, then probe, then /export)", async () => {
    const dev = sim.devices.get("v6")!;
    const before = dev.stats.commands.length;
    const r = await collectExport(targetOf(sim, "v6"), opts());
    assert.equal(r.version, "6.48.4");
    assert.deepEqual(dev.stats.commands.slice(before), [":put [/system resource get version]; /export show-sensitive", ":put [/system resource get version]", "/export"]);
    assert.match(r.text, /wpa-pre-shared-key=emran6267/);
    assert.match(r.text, /^# [a-z]{3}\/\d\d\/\d{4} \d\d:\d\d:\d\d by RouterOS 6\.48\.4\r\n/);
  });

  it("skips the version probe when the version is known", async () => {
    const dev = sim.devices.get("v7")!;
    const n = dev.stats.execs;
    const r = await collectExport(targetOf(sim, "v7"), opts({ knownVersion: "7.17.2" }));
    assert.equal(dev.stats.execs - n, 1);
    assert.equal(r.version, "7.17.2");
  });

  it("refuses the v6 error for show-sensitive as invalid_output (a stale v7 cache on a v6 device)", async () => {
    await rejectsWith(collectExport(targetOf(sim, "v6"), opts({ knownVersion: "7.1" })), "invalid_output");
  });

  it("speaks the legacy algorithms old RouterOS v6 needs", async () => {
    const r = await collectExport(targetOf(sim, "legacy"), opts());
    assert.equal(r.version, "6.48.4");
    assert.match(r.text, /^\/interface wireless/m);
  });

  it("prints the host key fingerprint exactly as ssh-keygen -lf does", async () => {
    const dir = tempDir();
    for (const id of ["v7", "legacy"]) {
      const dev = sim.devices.get(id)!;
      const file = path.join(dir, `${id}.pub`);
      writeFileSync(file, dev.hostPublicKey + "\n");
      const keygen = execFileSync("ssh-keygen", ["-lf", file], { encoding: "utf8" }).split(" ")[1];
      const r = await collectExport(targetOf(sim, id), opts());
      assert.equal(r.fingerprint, keygen);
      assert.match(r.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    }
  });

  it("accepts the pinned key and refuses a changed one before anything is run", async () => {
    const dev = sim.devices.get("fault")!;
    const pinned = dev.hostKeyFingerprint;
    await collectExport(targetOf(sim, "fault"), opts({ pinnedFingerprint: pinned }));
    const presented = sim.setHostKey("fault", usableKeyPair().private);
    const { execs, authAttempts } = dev.stats;
    const err = await rejectsWith(collectExport(targetOf(sim, "fault"), opts({ pinnedFingerprint: pinned })), "host_key_mismatch");
    assert.deepEqual(err.data, { expected_fingerprint: pinned, presented_fingerprint: presented });
    assert.equal(dev.stats.execs, execs, "an exec channel was opened");
    assert.equal(dev.stats.authAttempts, authAttempts, "credentials were sent to an unverified host");
  });

  it("answers keyboard-interactive prompts with the password", async () => {
    const r = await collectExport(targetOf(sim, "kbd"), opts());
    assert.equal(r.version, "7.17.2");
  });

  it("authenticates with a public key", async () => {
    const r = await collectExport(targetOf(sim, "pk", { password: undefined, privateKey: key.privateKey }), opts());
    assert.equal(r.version, "7.17.2");
    await rejectsWith(collectExport(targetOf(sim, "pk", { password: undefined, privateKey: clientKeyPair().privateKey }), opts()), "auth_failed");
  });

  it("reports a wrong password as auth_failed", async () => {
    await rejectsWith(collectExport(targetOf(sim, "v7", { password: "wrong" }), opts()), "auth_failed");
    sim.setFault("fault", "wrong_password");
    await rejectsWith(collectExport(targetOf(sim, "fault"), opts()), "auth_failed");
  });

  it("times out a device that never answers, within the command timeout", async () => {
    sim.setFault("fault", "hang");
    const err = await rejectsWith(collectExport(targetOf(sim, "fault"), opts({ commandTimeoutMs: 300 })), "timeout");
    assert.match(err.message, /command timeout/);
    sim.setFault("fault", "hang_connect");
    await rejectsWith(collectExport(targetOf(sim, "fault"), opts({ connectTimeoutMs: 300 })), "timeout");
  });

  it("applies the command timeout to the whole export, not per chunk", async () => {
    sim.setFault("fault", "slow"); // 256 bytes every 50 ms: about 4 s for this fixture
    await rejectsWith(collectExport(targetOf(sim, "fault"), opts({ knownVersion: "7.17.2", commandTimeoutMs: 500 })), "timeout");
  });

  it("collects a slow device completely when there is time", async () => {
    sim.setFault("fault", "slow");
    const r = await collectExport(targetOf(sim, "fault"), opts({ knownVersion: "7.17.2", commandTimeoutMs: 20000 }));
    assert.match(r.text, /private-key=/);
  });

  it("stops on abort", async () => {
    sim.setFault("fault", "hang");
    const ac = new AbortController();
    const p = collectExport(targetOf(sim, "fault"), opts({ signal: ac.signal }));
    setTimeout(() => ac.abort(), 100);
    await rejectsWith(p, "timeout");
  });

  for (const fault of ["truncate", "drop", "garbage", "nonzero_exit", "bad_command", "empty"] as const) {
    it(`rejects a ${fault} export as invalid_output and returns no text`, async () => {
      sim.setFault("fault", fault);
      await rejectsWith(collectExport(targetOf(sim, "fault"), opts()), "invalid_output");
    });
  }

  it("stops reading at maxBytes when a device streams without end", async () => {
    sim.setFault("fault", "huge");
    const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = used();
    const err = await rejectsWith(collectExport(targetOf(sim, "fault"), opts({ maxBytes: 1024 * 1024 })), "invalid_output");
    assert.match(err.message, /1048576-byte limit/);
    // Bounded memory: nowhere near the 80 MiB the device would send.
    assert.ok(used() - before < 40 * 1024 * 1024);
  });

  it("reports a closed port as unreachable", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const target: SshTarget = { host: "127.0.0.1", port, username: "x", password: TEST_PASSWORD };
    await rejectsWith(collectExport(target, opts()), "unreachable");
  });

  it("serves many devices at once", async () => {
    const many = await startDevices(50);
    try {
      const rs = await Promise.all([...many.devices.keys()].map((id) => collectExport(targetOf(many, id), opts({ connectTimeoutMs: 20000, commandTimeoutMs: 20000 }))));
      assert.equal(rs.length, 50);
      // Same export everywhere, up to the dated header line (devices may answer in different seconds).
      const body = (t: string) => t.slice(t.indexOf("\r\n"));
      assert.ok(rs.every((r) => body(r.text) === body(rs[0]!.text) && r.version === "7.17.2"));
    } finally {
      await many.stop();
    }
  });
});
