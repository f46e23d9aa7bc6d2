import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { hostKeyFingerprint, parseVersion, sshAlgorithms } from "../../../src/collect/index.js";

describe("hostKeyFingerprint", () => {
  it("is SHA256: and unpadded base64 of the SHA-256 of the key blob, as ssh-keygen -l prints it", () => {
    const blob = Buffer.from("AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "base64");
    const fp = hostKeyFingerprint(blob);
    assert.equal(fp, "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, ""));
    assert.match(fp, /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe("parseVersion", () => {
  it("takes the number part of the first version-like line", () => {
    assert.equal(parseVersion("7.16.2 (stable)\r\n"), "7.16.2");
    assert.equal(parseVersion("6.48.4 (long-term)\r\n"), "6.48.4");
    assert.equal(parseVersion("\r\n  7.15rc3 (testing)\r\n"), "7.15rc3");
    assert.equal(parseVersion("bad command name put (line 1 column 2)\r\n"), null);
    assert.equal(parseVersion(""), null);
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
