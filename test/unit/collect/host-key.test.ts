import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { hostKeyFingerprint, sshAlgorithms } from "../../../src/collect/index.js";

describe("hostKeyFingerprint", () => {
  it("prints what ssh-keygen -l prints for the same key", () => {
    const line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test";
    const dir = mkdtempSync(path.join(os.tmpdir(), "rosarchive-fp-"));
    try {
      writeFileSync(path.join(dir, "key.pub"), `${line}\n`);
      const r = spawnSync("ssh-keygen", ["-l", "-E", "sha256", "-f", path.join(dir, "key.pub")], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const expected = r.stdout.split(" ")[1]!;
      assert.equal(hostKeyFingerprint(Buffer.from(line.split(" ")[1]!, "base64")), expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("sshAlgorithms", () => {
  it("appends the legacy algorithms RouterOS v6 needs after ssh2's modern defaults", () => {
    const a = sshAlgorithms() as Record<string, { append: string[] }>;
    assert.deepEqual(a.kex!.append.slice(0, 2), ["diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1"]);
    assert.ok(a.cipher!.append.includes("aes128-cbc"));
    assert.ok(a.hmac!.append.includes("hmac-sha1"));
    assert.ok(a.serverHostKey!.append.includes("ssh-rsa"));
  });
});
