import assert from "node:assert/strict";
import ssh2 from "ssh2";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import { readFixture, TEST_PASSWORD, TEST_USER, V6_FIXTURE, V7_FIXTURE } from "../helpers/simulator.js";

interface Exec {
  stdout: string;
  code: number | null;
}

/** One raw exec on a simulated device, bypassing collectExport, to see exactly what the "router" prints. */
function execOn(sim: Simulator, id: string, command: string, password = TEST_PASSWORD): Promise<Exec> {
  const { port } = sim.devices.get(id)!;
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on("error", reject);
    c.on("ready", () =>
      c.exec(command, (err, ch) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        let code: number | null = null;
        ch.on("data", (d: Buffer) => chunks.push(d));
        ch.on("exit", (n: unknown) => (code = typeof n === "number" ? n : null));
        ch.on("close", () => {
          c.end();
          resolve({ stdout: Buffer.concat(chunks).toString("utf8"), code });
        });
      }),
    );
    c.connect({ host: "127.0.0.1", port, username: TEST_USER, password });
  });
}

describe("RouterOS simulator (what collection runs against)", function () {
  this.timeout(30000);
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      devices: [
        { id: "v7", version: "7.17.2", exportText: readFixture(V7_FIXTURE), username: TEST_USER, password: TEST_PASSWORD },
        { id: "v6", version: "6.48.4", exportText: readFixture(V6_FIXTURE), username: TEST_USER, password: TEST_PASSWORD },
      ],
    });
  });
  after(() => sim.stop());

  it("prints the version for the version probe", async () => {
    assert.deepEqual(await execOn(sim, "v7", ":put [/system resource get version]"), { stdout: "7.17.2\r\n", code: 0 });
    assert.deepEqual(await execOn(sim, "v6", ":put [/system resource get version]"), { stdout: "6.48.4\r\n", code: 0 });
  });

  it("v7: show-sensitive prints secrets, plain /export hides them; current ISO header, CRLF, 80 columns", async () => {
    const shown = await execOn(sim, "v7", "/export show-sensitive");
    const hidden = await execOn(sim, "v7", "/export");
    assert.equal(shown.code, 0);
    assert.equal(hidden.code, 0);
    assert.match(shown.stdout, /private-key="yGQ3FH40WUmzvhHvXI3h\/1VaVCRaswXXhOtRQTjymUg="/);
    assert.doesNotMatch(hidden.stdout, /yGQ3FH40WUmzvhHvXI3h/);
    const year = new Date().getFullYear();
    assert.match(shown.stdout, new RegExp(`^# ${year}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d by RouterOS 7\\.17\\.2\\r\\n`));
    const lines = shown.stdout.split("\r\n");
    assert.equal(lines.pop(), "", "ends with CRLF");
    assert.ok(lines.every((l) => !l.includes("\n") && (l.startsWith("#") || l.length <= 80)));
  });

  it("v6: /export prints secrets with a month/day/year header; show-sensitive is an error", async () => {
    const plain = await execOn(sim, "v6", "/export");
    assert.equal(plain.code, 0);
    assert.match(plain.stdout, /wpa-pre-shared-key=emran6267/);
    assert.match(plain.stdout, /^# [a-z]{3}\/\d\d\/\d{4} \d\d:\d\d:\d\d by RouterOS 6\.48\.4\r\n/);
    assert.deepEqual(await execOn(sim, "v6", "/export show-sensitive"), { stdout: "expected end of command (line 1 column 9)\r\n", code: 1 });
  });

  it("answers an unknown command like RouterOS", async () => {
    assert.deepEqual(await execOn(sim, "v7", "xyz"), { stdout: "bad command name xyz (line 1 column 1)\r\n", code: 1 });
  });

  it("serves a changed export, a changed password and counts exec requests", async () => {
    const n = sim.execCount("v7");
    sim.setExport("v7", "# 2025-01-01 00:00:00 by RouterOS 7.17.2\n/system identity\nset name=changed\n");
    const r = await execOn(sim, "v7", "/export show-sensitive");
    assert.match(r.stdout, /\r\n\/system identity\r\nset name=changed\r\n$/);
    assert.equal(sim.execCount("v7"), n + 1);
    sim.setPassword("v7", "new-password");
    await assert.rejects(execOn(sim, "v7", "/export"), /authentication methods failed/);
    assert.equal((await execOn(sim, "v7", "/export show-sensitive", "new-password")).code, 0);
  });

  it("runs hundreds of devices in one process, each with its own port and host key", async () => {
    const exportText = readFixture(V7_FIXTURE);
    const many = await startSimulator({
      devices: Array.from({ length: 200 }, (_, i) => ({ id: `d${i}`, version: "7.17.2", exportText, username: TEST_USER, password: TEST_PASSWORD })),
    });
    try {
      const infos = [...many.devices.values()];
      assert.equal(new Set(infos.map((d) => d.port)).size, 200);
      assert.equal(new Set(infos.map((d) => d.hostKeyFingerprint)).size, 200);
      const outs = await Promise.all(["d0", "d99", "d199"].map((id) => execOn(many, id, "/export show-sensitive")));
      assert.ok(outs.every((o) => o.code === 0 && o.stdout.includes("/interface wireguard")));
    } finally {
      await many.stop();
    }
    const port = many.devices.get("d0")!.port;
    await assert.rejects(
      new Promise((resolve, reject) => {
        const c = new ssh2.Client();
        c.on("error", reject);
        c.on("ready", () => resolve(undefined));
        c.connect({ host: "127.0.0.1", port, username: "x", password: "y" });
      }),
      /ECONNREFUSED/,
      "stop() closes the listening ports",
    );
  });
});
