import assert from "node:assert/strict";
import { signBody, verifySignature } from "../../../src/notify/index.js";

describe("notify: webhook signatures", () => {
  it("is sha256= and the hex HMAC-SHA256 of the exact body (RFC 4231 test case 2)", () => {
    assert.equal(signBody("Jefe", "what do ya want for nothing?"), "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });

  it("verifies the exact bytes only: another body, another secret, a missing or malformed header fail", () => {
    const body = Buffer.from('{"event":"config.changed"}');
    const header = signBody("s3cret", body);
    assert.equal(verifySignature("s3cret", body, header), true);
    assert.equal(verifySignature("s3cret", Buffer.from('{"event":"config.changed"} '), header), false);
    assert.equal(verifySignature("other", body, header), false);
    assert.equal(verifySignature("s3cret", body, undefined), false);
    assert.equal(verifySignature("s3cret", body, header.slice(0, -1)), false);
  });
});
