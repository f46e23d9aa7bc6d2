import assert from "node:assert/strict";
import { mergeExtensions } from "../../../src/remote/merge-extensions.js";

const none = { params: [], scriptParams: [], secretWords: [], sealWholeScripts: false };
const own = { params: [{ name: "api-key", reason: "collector file" }], scriptParams: [], secretWords: ["TOKEN"], sealWholeScripts: false };
const job = { params: [{ name: "api-key", reason: "collector file" }, { name: "x-secret", menus: ["/x"], reason: "core" }], scriptParams: [], secretWords: [], sealWholeScripts: true };

describe("remote: mergeExtensions (a job adds to a collector's catalog, never takes from it)", () => {
  it("unions both sides, without duplicates", () => {
    const m = mergeExtensions(own, job)!;
    assert.deepEqual(m.params.map((p) => p.name), ["api-key", "x-secret"]);
    assert.deepEqual(m.secretWords, ["TOKEN"]);
    assert.equal(m.sealWholeScripts, true);
  });
  it("a job with nothing (or a tampered empty one) keeps the collector's own; nothing on either side is null", () => {
    assert.equal(mergeExtensions(own, null), own);
    assert.equal(mergeExtensions(own, none), own);
    assert.equal(mergeExtensions(none, null), null);
  });
  it("the same inputs give the same object (the sealer caches its compiled catalog per object)", () => {
    assert.equal(mergeExtensions(own, job), mergeExtensions(own, job));
  });
});
