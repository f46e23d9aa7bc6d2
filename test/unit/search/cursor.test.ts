import assert from "node:assert/strict";
import { RosarchiveError } from "../../../src/common/index.js";
import { decodeCursor, encodeCursor, parseAt, queryKey } from "../../../src/search/index.js";

const commit = "a".repeat(40);
const badParam = (param: string, message: RegExp) => (e: unknown) => e instanceof RosarchiveError && e.code === "bad_parameter" && e.data.param === param && message.test(e.message);

describe("search: the cursor", () => {
  const key = queryKey({ q: "telnet", regex: false, at: "latest", group: null, history: false });

  it("round-trips the commit, position and count, as an opaque URL-safe string", () => {
    const c = { key, commit, path: "fra/core-1.rsc", line: 12, total: 50 };
    const s = encodeCursor(c);
    assert.match(s, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeCursor(s, key), c);
    assert.deepEqual(decodeCursor(encodeCursor({ ...c, commit: null, line: 0 }), key), { ...c, commit: null, line: 0 });
  });

  it("the query digest changes with every part of the query", () => {
    const parts = { q: "telnet", regex: false, at: "latest", group: null, history: false };
    for (const change of [{ q: "telnet " }, { regex: true }, { at: "2026-01-01" }, { group: "fra" }, { history: true }]) {
      assert.notEqual(queryKey({ ...parts, ...change }), key, JSON.stringify(change));
    }
    assert.equal(queryKey({ history: false, group: null, at: "latest", regex: false, q: "telnet" }), key, "key order does not matter");
  });

  it("refuses another query's cursor, an edited one and garbage, naming cursor", () => {
    const s = encodeCursor({ key, commit, path: "core-1.rsc", line: 3, total: 3 });
    assert.throws(() => decodeCursor(s, queryKey({ q: "ssh" })), badParam("cursor", /belongs to another query/));
    const raw = JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
    for (const edit of [{ c: "xyz" }, { p: "../../etc/passwd" }, { p: "a/b/c.rsc" }, { p: "core-1.txt" }, { l: -1 }, { l: 1.5 }, { t: "9" }, { v: 2 }]) {
      const edited = Buffer.from(JSON.stringify({ ...raw, ...edit })).toString("base64url");
      assert.throws(() => decodeCursor(edited, key), badParam("cursor", /not a cursor this service made/), JSON.stringify(edit));
    }
    for (const junk of ["", "%%%", "a".repeat(600), 42, ["x"], Buffer.from("not json").toString("base64url")]) {
      assert.throws(() => decodeCursor(junk, key), badParam("cursor", /./), String(junk).slice(0, 20));
    }
  });
});

describe("search: the at parameter", () => {
  it("latest by default; a date means the end of that day in UTC; an RFC 3339 time with any offset", () => {
    assert.deepEqual(parseAt(undefined), { kind: "latest" });
    assert.deepEqual(parseAt("latest"), { kind: "latest" });
    assert.deepEqual(parseAt("2026-01-20"), { kind: "date", ms: Date.parse("2026-01-20T23:59:59Z"), text: "2026-01-20" });
    assert.equal((parseAt("2026-01-20T10:00:00+02:00") as { ms: number }).ms, Date.parse("2026-01-20T08:00:00Z"));
    assert.equal((parseAt("2026-01-20T10:00:00.5Z") as { ms: number }).ms, Date.parse("2026-01-20T10:00:00.500Z"));
  });

  it("refuses anything else, naming at", () => {
    for (const bad of ["now", "2026-02-30", "2026-13-01", "2026-01-20T24:00:00Z", "2026-01-20T10:00:00", "20260120", "2026-01-20 10:00:00Z", ["2026-01-01"], "2026-01-20T10:61:00Z"]) {
      assert.throws(() => parseAt(bad), badParam("at", /must be latest, a date/), String(bad));
    }
  });
});
