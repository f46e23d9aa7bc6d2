import assert from "node:assert/strict";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { isReseal, plaintextFingerprint, resealSummary, sealedDigest, sealValues } from "../../../src/seal/index.js";
import { parseSecretIndexState } from "../../../src/store/index.js";
import { makeAgePair, testIndexKey } from "../../helpers/age.js";

describe("seal: telling a re-seal from a change, without plaintext", () => {
  const text = "/ppp secret\nadd name=a password=pw-one\n/ip address\nadd address=10.0.0.1/24 interface=ether1\n";

  it("the fingerprint is keyed: same text, other key or other device, other fingerprint", () => {
    const f = plaintextFingerprint(testIndexKey(1), "t/d", text);
    assert.match(f, /^[0-9a-f]{64}$/);
    assert.equal(plaintextFingerprint(testIndexKey(1), "t/d", text), f);
    assert.notEqual(plaintextFingerprint(testIndexKey(2), "t/d", text), f);
    assert.notEqual(plaintextFingerprint(testIndexKey(1), "t/e", text), f);
    assert.notEqual(plaintextFingerprint(testIndexKey(1), "t/d", text.replace("pw-one", "pw-two")), f);
  });

  it("new recipients: same fingerprint, other sealed text over the archived file = re-seal; a real change is not", async () => {
    const a = await makeAgePair();
    const b = await makeAgePair();
    const opts = { platform: ROUTEROS, previous: {}, indexKey: testIndexKey(), context: "t/d" };
    const first = await sealValues(text, { ...opts, recipients: [a.recipient] });
    const archived = sealedDigest(first.text);
    const state = { fingerprint: first.fingerprint, sealed: archived, recipients: null };
    const rotated = await sealValues(text, { ...opts, previous: first.index, recipients: [b.recipient] });
    assert.equal(rotated.fingerprint, first.fingerprint);
    assert.equal(rotated.fresh, 1);
    assert.notEqual(sealedDigest(rotated.text), archived, "the sealed text changed");
    assert.ok(isReseal(state, rotated, archived));
    const changed = await sealValues(text.replace("10.0.0.1", "10.0.0.2"), { ...opts, previous: first.index, recipients: [b.recipient] });
    assert.equal(isReseal(state, changed, archived), false);
  });

  it("a state that does not describe the archived file (a commit that never landed, an older version) is never a re-seal", async () => {
    const a = await makeAgePair();
    const r = await sealValues(text, { platform: ROUTEROS, recipients: [a.recipient], previous: {}, indexKey: testIndexKey(), context: "t/d" });
    assert.equal(isReseal({ fingerprint: r.fingerprint, sealed: sealedDigest("other archived text"), recipients: null }, r, sealedDigest("archived text")), false);
    assert.equal(isReseal({ fingerprint: null, sealed: null, recipients: null }, r, sealedDigest("archived text")), false);
    assert.equal(isReseal({ fingerprint: r.fingerprint, sealed: sealedDigest("x"), recipients: null }, r, null), false);
  });

  it("the sealed digest is the git blob id of the archived text", () => {
    assert.equal(sealedDigest(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    assert.equal(sealedDigest("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
  });

  it("summarizes a re-seal", () => {
    assert.equal(resealSummary(9, true), "re-sealed 9 values for new recipients");
    assert.equal(resealSummary(1, false), "re-sealed 1 value");
  });
});

describe("store: secret index state, both formats", () => {
  const key = "a".repeat(64);
  it("reads the first format (a flat object keyed hash -> ciphertext)", () => {
    assert.deepEqual(parseSecretIndexState({ [key]: "age:abc" }), { index: { [key]: "age:abc" }, fingerprint: null, sealed: null, recipients: null });
  });
  it("reads the versioned format", () => {
    const f = "b".repeat(64);
    assert.deepEqual(parseSecretIndexState({ format: 2, fingerprint: f, sealed: f, recipients: null, index: { [key]: "age:x" } }), { index: { [key]: "age:x" }, fingerprint: f, sealed: f, recipients: null });
  });
  it("treats anything else as no state", () => {
    for (const bad of [null, [], "x", 3, { format: 2, index: "nope" }, { [key]: 5 }]) assert.deepEqual(parseSecretIndexState(bad).index, {});
  });
});
