import assert from "node:assert/strict";
import { parseBoolParam, parseCommitParam, parseLimit } from "../../../src/api/params.js";
import { RosarchiveError } from "../../../src/common/index.js";

const badParam = (name: string) => (err: unknown) => err instanceof RosarchiveError && err.code === "bad_parameter" && err.data.param === name && err.message.startsWith(`${name}:`);

describe("api params: 400 naming the parameter", () => {
  it("limit: 1..max, default when absent", () => {
    assert.equal(parseLimit(undefined, 50, 200), 50);
    assert.equal(parseLimit("1", 50, 200), 1);
    assert.equal(parseLimit("200", 50, 200), 200);
    for (const v of ["0", "201", "abc", "-1", "1.5", "", " 5", "1e2", ["1", "2"]]) assert.throws(() => parseLimit(v, 50, 200), badParam("limit"), String(v));
  });

  it("commits: 7-40 lowercase hex only", () => {
    assert.equal(parseCommitParam(undefined, "before"), null);
    assert.equal(parseCommitParam("a".repeat(40), "before"), "a".repeat(40));
    for (const v of ["../../x", "HEAD", "main", "abc", "A".repeat(40), "-a".repeat(10), "a".repeat(41)]) assert.throws(() => parseCommitParam(v, "before"), badParam("before"), v);
  });

  it("booleans: true/false only", () => {
    assert.equal(parseBoolParam(undefined, "decrypt"), false);
    assert.equal(parseBoolParam("true", "decrypt"), true);
    assert.throws(() => parseBoolParam("yes", "decrypt"), badParam("decrypt"));
  });
});
