import assert from "node:assert/strict";
import { acceptSealed, sealedTokensIn } from "../../../src/remote/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { sealValues } from "../../../src/seal/index.js";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const KEY = new Uint8Array(32).fill(7);
const TEXT = '/ppp secret\nadd name=alice password=s3cret-one\nadd name=bob password=s3cret-two\n/system identity\nset name=r1\n';
const seal = (text: string, previous: Record<string, string> = {}) => sealValues(text, { platform: ROUTEROS, recipients: [RECIPIENT], previous, indexKey: KEY, context: "acme/r1" });

describe("remote: acceptSealed (stable ciphertext at the core without plaintext)", () => {
  it("keeps the core's ciphertext for every tag it knows, even when the collector sealed anew", async () => {
    const first = await seal(TEXT);
    const fresh = await seal(TEXT); // a collector that did not get the previous index
    assert.notEqual(fresh.text, first.text, "age is randomized: a fresh seal differs");
    const accepted = acceptSealed(fresh.text, fresh.index, first.index);
    assert.equal(accepted.text, first.text, "byte-identical to the archived file");
    assert.deepEqual(accepted.index, first.index);
  });

  it("a changed secret changes only its own line", async () => {
    const first = await seal(TEXT);
    const changed = await seal(TEXT.replace("s3cret-two", "s3cret-three"));
    const accepted = acceptSealed(changed.text, changed.index, first.index);
    const a = first.text.split("\n");
    const b = accepted.text.split("\n");
    assert.deepEqual(b.map((l, i) => l === a[i]), [true, true, false, true, true, true]);
  });

  it("refuses a text with a sealed value its index does not cover", async () => {
    const first = await seal(TEXT);
    const [tag] = Object.keys(first.index);
    const partial = { ...first.index };
    delete partial[tag!];
    assert.throws(() => acceptSealed(first.text, partial, {}), (e: { code?: string }) => e.code === "invalid_output");
  });

  it("finds sealed tokens only where the value is an age file", async () => {
    const first = await seal(TEXT);
    assert.equal(sealedTokensIn(first.text).size, 2);
    assert.equal(sealedTokensIn("/x\nset comment=age:notanagefile\n").size, 0);
  });
});
