import assert from "node:assert/strict";
import type { PolicyCheck } from "../../../src/config/index.js";
import { checksFor, evaluateCheck, globToRegExp, inScope, policySummary, type DeviceFile, type LineHit } from "../../../src/policy/index.js";

function check(over: Partial<PolicyCheck> = {}): PolicyCheck {
  return { name: "c", severity: "warning", description: null, scope: { groups: null, sites: null, devices: null }, section: null, mustContain: [], mustNotContain: [], fingerprint: "f1", ...over };
}

/**
 * A file as git grep would report it: the hits of each pattern are given by
 * the test (this module never runs a pattern), sections from the menu lines.
 */
function file(lines: string[], hits: Record<string, number[] | "error">): DeviceFile {
  let section = "(header)";
  const sections = lines.map((l) => (l.startsWith("/") ? (section = l) : section));
  return {
    hits: (p) => {
      const h = hits[p];
      if (h === "error") return "error";
      return (h ?? []).map((n): LineHit => ({ line: n, text: lines[n - 1]! }));
    },
    sectionAt: (n) => sections[n - 1]!,
  };
}

const EXPORT = ["# RouterOS 7.16.2", "/ip service", "set telnet disabled=no", "set ssh port=22", "/ip ssh", "set strong-crypto=no", "/system ntp server", "set enabled=yes", "/system ntp client", "set enabled=no"];

describe("policy: one check against one device's file", () => {
  it("must_not_contain fails on the first matching line, naming its number, section and text", () => {
    const r = evaluateCheck(check({ mustNotContain: ["disabled=no", "port=22"] }), file(EXPORT, { "disabled=no": [3], "port=22": [4] }));
    assert.deepEqual(r, { status: "fail", fingerprint: "f1", line: { number: 3, section: "/ip service", text: "set telnet disabled=no" }, missing: null });
  });

  it("must_contain fails naming the first pattern no line matches; passes when every pattern matches", () => {
    const c = check({ mustContain: ["strong-crypto=", "strong-crypto=yes"] });
    assert.deepEqual(evaluateCheck(c, file(EXPORT, { "strong-crypto=": [6] })), { status: "fail", fingerprint: "f1", line: null, missing: "strong-crypto=yes" });
    assert.equal(evaluateCheck(c, file(EXPORT, { "strong-crypto=": [6], "strong-crypto=yes": [6] })).status, "pass");
  });

  it("a section restricts matching to the lines standing in that menu", () => {
    // enabled=yes stands in /system ntp server, not in the client's section.
    const ntp = check({ section: "/system ntp client", mustContain: ["enabled=yes"] });
    assert.equal(evaluateCheck(ntp, file(EXPORT, { "enabled=yes": [8] })).status, "fail");
    assert.equal(evaluateCheck({ ...ntp, section: null }, file(EXPORT, { "enabled=yes": [8] })).status, "pass");
    // must_not_contain within a section: a match elsewhere does not count; the first match inside does.
    const noDisabled = check({ section: "/system ntp client", mustNotContain: ["enabled="] });
    assert.deepEqual(evaluateCheck(noDisabled, file(EXPORT, { "enabled=": [8, 10] })).line, { number: 10, section: "/system ntp client", text: "set enabled=no" });
  });

  it("must_not_contain is reported before must_contain; a pattern git could not finish is an error, not a verdict", () => {
    const both = check({ mustContain: ["nothing-like-this"], mustNotContain: ["telnet"] });
    assert.equal(evaluateCheck(both, file(EXPORT, { telnet: [3] })).line?.number, 3);
    const err = evaluateCheck(check({ mustNotContain: ["x"] }), file(EXPORT, { x: "error" }));
    assert.equal(err.status, "error");
    assert.match(err.message!, /could not be evaluated in time/);
  });

  it("cuts a long failing line to 500 characters", () => {
    const lines = ["/system note", `set note="${"x".repeat(2000)}"`];
    const r = evaluateCheck(check({ mustNotContain: ["note="] }), file(lines, { "note=": [2] }));
    assert.equal(r.line!.text.length, 500);
  });
});

describe("policy: scopes", () => {
  const core = { id: "core-1", group: "fra", site: "fra-dc" };
  const edge = { id: "edge-7", group: null };

  it("every list given must match; within a list, any entry", () => {
    assert.ok(inScope(check(), core));
    assert.ok(inScope(check({ scope: { groups: ["ams", "fra"], sites: null, devices: null } }), core));
    assert.ok(!inScope(check({ scope: { groups: ["ams"], sites: null, devices: null } }), core));
    assert.ok(inScope(check({ scope: { groups: ["fra"], sites: ["fra-dc"], devices: ["core-?"] } }), core));
    assert.ok(!inScope(check({ scope: { groups: ["fra"], sites: ["ams-dc"], devices: null } }), core));
    assert.ok(!inScope(check({ scope: { groups: ["fra"], sites: null, devices: ["edge-*"] } }), core));
  });

  it("a device without a group or site is outside a scope that lists them", () => {
    assert.ok(!inScope(check({ scope: { groups: ["fra"], sites: null, devices: null } }), edge));
    assert.ok(!inScope(check({ scope: { groups: null, sites: ["fra-dc"], devices: null } }), edge));
    assert.ok(inScope(check({ scope: { groups: null, sites: null, devices: ["edge-*"] } }), edge));
  });

  it("device patterns: * any run, ? one character, every other character itself (a dot is a dot)", () => {
    assert.ok(globToRegExp("edge-*").test("edge-7"));
    assert.ok(globToRegExp("edge-*").test("edge-"));
    assert.ok(!globToRegExp("edge-?").test("edge-10"));
    assert.ok(globToRegExp("r1.fra").test("r1.fra"));
    assert.ok(!globToRegExp("r1.fra").test("r1xfra"), "a dot is not a regex wildcard");
    assert.ok(!globToRegExp("core").test("core-1"), "whole id");
  });

  it("checksFor keeps config order", () => {
    const a = check({ name: "a" });
    const b = check({ name: "b", scope: { groups: ["ams"], sites: null, devices: null } });
    const c = check({ name: "c" });
    assert.deepEqual(checksFor([a, b, c], core).map((x) => x.name), ["a", "c"]);
  });
});

describe("policy: a device's summary", () => {
  const checks = [check({ name: "a", severity: "info" }), check({ name: "b", severity: "critical" }), check({ name: "c", severity: "warning", fingerprint: "f2" }), check({ name: "d" })];
  const result = (status: "pass" | "fail" | "error", fingerprint = "f1") => ({ status, fingerprint, line: null, missing: null });

  it("counts verdicts made with the current definition; an older definition's result is pending", () => {
    const s = policySummary(checks, { device: "x", commit: "c".repeat(40), evaluated_at: "2026-01-01T00:00:00Z", checks: { a: result("fail"), b: result("fail"), c: result("pass", "f1"), d: result("error") } });
    assert.deepEqual(s, { checks: 4, passing: 0, failing: 2, errors: 1, pending: 1, worst: "critical", failed: [{ name: "a", severity: "info" }, { name: "b", severity: "critical" }], commit: "c".repeat(40) });
  });

  it("no check: null; no results yet: all pending", () => {
    assert.equal(policySummary([], null), null);
    assert.equal(policySummary(checks, null)!.pending, 4);
  });
});
