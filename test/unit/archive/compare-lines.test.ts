import assert from "node:assert/strict";
import { linesToLeaveOut, maskSealedValues, SEALED_MASK, sectionsOfDiff, sectionsOfLines, splitLines, withoutLines } from "../../../src/archive/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";

const TEXT = ["# RouterOS 7.16.2", "/ip address", "add address=10.0.7.1/24 interface=ether1", "/ip dhcp-server network", "add address=10.0.7.0/24 gateway=10.0.7.1", "/system identity", "set name=edge-7", ""].join("\n");
const lines = splitLines(TEXT);
const sections = sectionsOfLines(lines, ROUTEROS.sectionOf);

describe("compare: the ignore rules' lines and sealed values (pure part)", () => {
  it("a rule limited to a section leaves out only the lines standing in it", () => {
    // git found `^add address=` on lines 3 and 5, for a rule limited to /ip address.
    const dropped = linesToLeaveOut(lines, sections, [{ line: 3, ruleSection: "/ip address" }, { line: 5, ruleSection: "/ip address" }], ROUTEROS.sectionOf);
    assert.deepEqual([...dropped], [2]);
    assert.equal(withoutLines(TEXT, lines, dropped), TEXT.replace("add address=10.0.7.1/24 interface=ether1\n", ""));
  });

  it("a rule without a section leaves out the lines anywhere; menu lines never", () => {
    const dropped = linesToLeaveOut(lines, sections, [{ line: 2, ruleSection: null }, { line: 7, ruleSection: null }, { line: 99, ruleSection: null }], ROUTEROS.sectionOf);
    assert.deepEqual([...dropped], [6], "the /ip address menu line stays, line 99 does not exist");
  });

  it("leaving out every line gives an empty text; none gives the text unchanged", () => {
    assert.equal(withoutLines(TEXT, lines, new Set(lines.map((_, i) => i))), "");
    assert.equal(withoutLines(TEXT, lines, new Set()), TEXT);
  });

  it("masks every sealed value, leaving the rest of the line", () => {
    const sealed = "add name=wg private-key=age:YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0-IFgy listen-port=7172\nset auth-key=age:AAAAAAAAAAAAAAAAAAAA_-xyz broadcast=no\nset note=\"age:short\" public-key=abc\n";
    const m = maskSealedValues(sealed);
    assert.equal(m.count, 2);
    assert.equal(m.text, `add name=wg private-key=${SEALED_MASK} listen-port=7172\nset auth-key=${SEALED_MASK} broadcast=no\nset note="age:short" public-key=abc\n`);
  });

  it("reads git's -U0 diff into changed lines by section, each from its own file's sections", () => {
    const oldText = ["/ip service", "set telnet disabled=no", "set ssh port=22", "/system identity", "set name=a"];
    const newText = ["/ip service", "set ssh port=22", "/system identity", "set name=b", "/system note", "set note=x"];
    // As `git diff -U0` prints the change from oldText to newText.
    const diff = [
      "diff --git a/a.rsc b/b.rsc",
      "index 1111111..2222222 100644",
      "--- a/a.rsc",
      "+++ b/b.rsc",
      "@@ -2 +1,0 @@",
      "-set telnet disabled=no",
      "@@ -5 +4,3 @@",
      "-set name=a",
      "+set name=b",
      "+/system note",
      "+set note=x",
      "\\ No newline at end of file",
      "",
    ].join("\n");
    const s = sectionsOfDiff(diff, sectionsOfLines(oldText, ROUTEROS.sectionOf), sectionsOfLines(newText, ROUTEROS.sectionOf));
    assert.deepEqual(s.stats, { added: 3, removed: 2 });
    assert.deepEqual(s.sections, [
      { section: "/ip service", added: [], removed: ["set telnet disabled=no"] },
      { section: "/system identity", added: ["set name=b"], removed: ["set name=a"] },
      { section: "/system note", added: ["/system note", "set note=x"], removed: [] },
    ]);
  });

  it("a removed line that starts with -- is a removed line, not a header", () => {
    const diff = ["--- a/x", "+++ b/x", "@@ -1 +0,0 @@", "--- not a header", ""].join("\n");
    assert.deepEqual(sectionsOfDiff(diff, ["/a"], []).sections, [{ section: "/a", added: [], removed: ["-- not a header"] }]);
  });
});
