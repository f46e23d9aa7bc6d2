import assert from "node:assert/strict";
import { RosarchiveError } from "../../../src/common/index.js";
import { generateIdentityPair, parseIdentityFile, recipientOf, validateRecipients } from "../../../src/seal/index.js";

describe("seal: identities", () => {
  it("generates an X25519 pair whose recipient is derived from the identity", async () => {
    const { identity, recipient } = await generateIdentityPair();
    assert.match(identity, /^AGE-SECRET-KEY-1[0-9A-Z]+$/);
    assert.match(recipient, /^age1[0-9a-z]{58}$/);
    assert.equal(await recipientOf(identity), recipient);
    validateRecipients([recipient]);
  });

  it("recipientOf refuses garbage without echoing it", async () => {
    await assert.rejects(
      () => recipientOf("AGE-SECRET-KEY-1GARBAGE"),
      (err: unknown) => err instanceof RosarchiveError && err.code === "bad_parameter" && !err.message.includes("GARBAGE"),
    );
  });

  it("parses age identity files: AGE-SECRET-KEY- lines, comments and blanks ignored", () => {
    const text = "# created: 2026-01-01T00:00:00Z\r\n# public key: age1xyz\r\nAGE-SECRET-KEY-1AAA\r\n\n  AGE-SECRET-KEY-1BBB  \n# AGE-SECRET-KEY-1CCC\n";
    assert.deepEqual(parseIdentityFile(text), ["AGE-SECRET-KEY-1AAA", "AGE-SECRET-KEY-1BBB"]);
    assert.deepEqual(parseIdentityFile(""), []);
  });
});
