import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { collectExport, type CollectOptions } from "../../src/collect/index.js";
import { RosarchiveError } from "../../src/common/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { startSshd, sshdAvailable, type Sshd } from "../helpers/openssh.js";
import { FIXTURES } from "../helpers/tmp.js";

const V7 = "v7.17.2-chr-verbose-sensitive.rsc";
const V6 = "v6.48.4-rb952-wifi.rsc";
const opts = (over: Partial<CollectOptions> = {}): CollectOptions => ({
  platform: ROUTEROS,
  pinnedFingerprint: null,
  knownVersion: null,
  connectTimeoutMs: 10000,
  commandTimeoutMs: 10000,
  ...over,
});

describe("collectExport against a real OpenSSH server", function () {
  this.timeout(60000);
  if (!sshdAvailable()) {
    console.warn("\n  !!! SKIPPING OpenSSH integration tests: /usr/sbin/sshd not installed (apt-get install openssh-server) !!!\n");
    return;
  }
  const exportText = readFileSync(path.join(FIXTURES, V7), "utf8");
  let sshd: Sshd;
  before(async () => {
    sshd = await startSshd({ exportText, version: "7.17.2" });
  });
  after(() => sshd?.stop());

  it("collects with key auth: the export arrives byte for byte, the version is probed", async () => {
    const r = await collectExport({ host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.clientPrivateKey }, opts());
    assert.equal(r.text, exportText);
    assert.equal(r.version, "7.17.2");
    assert.equal(r.bytes, Buffer.byteLength(exportText));
  });

  it("collects with password auth (dedicated test user)", async function () {
    if (sshd.password === null) {
      console.warn("  !!! password auth not tested: not root, or useradd/chpasswd failed");
      return this.skip();
    }
    const r = await collectExport({ host: sshd.host, port: sshd.port, username: sshd.username, password: sshd.password }, opts());
    assert.equal(r.text, exportText);
  });

  it("refuses a wrong password as auth_failed", async function () {
    if (sshd.password === null) return this.skip();
    await assert.rejects(
      collectExport({ host: sshd.host, port: sshd.port, username: sshd.username, password: "not-the-password" }, opts()),
      (err: unknown) => err instanceof RosarchiveError && err.code === "auth_failed",
    );
  });

  it("pins exactly what ssh-keygen -lf prints, and refuses a changed host key", async () => {
    const target = { host: sshd.host, port: sshd.port, username: sshd.username, privateKey: sshd.clientPrivateKey };
    const first = await collectExport(target, opts());
    const pinned = sshd.fingerprint();
    assert.equal(first.fingerprint, pinned);
    await collectExport(target, opts({ pinnedFingerprint: pinned, knownVersion: first.version }));
    await sshd.rotateHostKey();
    const presented = sshd.fingerprint();
    assert.notEqual(presented, pinned);
    await assert.rejects(collectExport(target, opts({ pinnedFingerprint: pinned })), (err: unknown) => {
      assert.ok(err instanceof RosarchiveError);
      assert.equal(err.code, "host_key_mismatch");
      assert.deepEqual(err.data, { expected_fingerprint: pinned, presented_fingerprint: presented });
      return true;
    });
  });

  describe("with only the legacy algorithms of RouterOS v6", () => {
    const v6Text = readFileSync(path.join(FIXTURES, V6), "utf8");
    let legacy: Sshd;
    before(async () => {
      legacy = await startSshd({ exportText: v6Text, version: "6.48.4", legacy: true });
    });
    after(() => legacy?.stop());

    it("negotiates group14-sha1, aes128-cbc, hmac-sha1 and an ssh-rsa host key, and runs plain /export", async () => {
      const r = await collectExport({ host: legacy.host, port: legacy.port, username: legacy.username, privateKey: legacy.clientPrivateKey }, opts());
      assert.equal(r.version, "6.48.4");
      assert.equal(r.text, v6Text);
      assert.equal(r.fingerprint, legacy.fingerprint());
    });

    it("fails with invalid_output when a v6 device is asked for show-sensitive (stale cached version)", async () => {
      await assert.rejects(
        collectExport({ host: legacy.host, port: legacy.port, username: legacy.username, privateKey: legacy.clientPrivateKey }, opts({ knownVersion: "7.1" })),
        (err: unknown) => err instanceof RosarchiveError && err.code === "invalid_output",
      );
    });
  });
});
