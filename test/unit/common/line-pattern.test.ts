import assert from "node:assert/strict";
import { checkLinePattern, LINE_PATTERN_MAX, linePatternProblem, RosarchiveError } from "../../../src/common/index.js";

const ok = (p: string) => assert.equal(linePatternProblem(p, "regex"), null, `accepted: ${p}`);
const refused = (p: string, why: RegExp) => {
  const problem = linePatternProblem(p, "regex");
  assert.ok(problem, `refused: ${p.slice(0, 60)}`);
  assert.match(problem, why, p.slice(0, 60));
};

describe("common: line patterns (git grep -E dialect, checked before git sees them)", () => {
  it("accepts the extended regular expressions operators write for RouterOS lines", () => {
    for (const p of [
      "^set telnet .*disabled=yes",
      "strong-crypto=yes",
      "^add address=10\\.0\\.[0-9]+\\.1/24",
      "(^| )name=admin( |$)",
      "^set \\[ find default=yes \\] (.* )?addresses=(::/0|0\\.0\\.0\\.0/0)( |$)",
      "[[:space:]]disabled=(yes|no)",
      "[^a-z]ssh",
      "[]x]",
      "\\bpeer\\b",
      "\\<wg[0-9]{1,3}\\>",
      "a{2}b{1,}c{0,3}",
      "x?y*z+",
      "()",
      "\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\/",
    ]) {
      ok(p);
    }
  });

  it("refuses PCRE and JavaScript syntax that git's ERE would read as something else", () => {
    refused("\\d+", /PCRE or JavaScript syntax/);
    refused("a\\tb", /PCRE or JavaScript syntax/);
    refused("(?:a|b)", /PCRE group/);
    refused("(?i)telnet", /PCRE group/);
    refused("(?=x)", /PCRE group/);
    refused("a+?", /lazy and possessive/);
    refused("a*+", /lazy and possessive/);
    refused("\\q", /not an escape/);
  });

  it("refuses backreferences", () => {
    refused("(a)\\1", /backreference/);
    refused("(a*)*\\1b", /./);
  });

  it("refuses the hostile shapes: nested and stacked repetitions, huge counts, long alternations, deep nesting", () => {
    refused("(a+)+$", /repeated group holds a repetition/);
    refused("((a+)+)+c", /repeated group holds a repetition/);
    refused("(x+x+)+y", /repeated group holds a repetition/);
    refused("(a*){2,}", /repeated group holds a repetition/);
    ok("(a*){2}"); // bounded: at most twice
    ok("(.* )?x");
    refused("a**", /follows another repetition/);
    refused("a{1000}", /above 255/);
    refused("a{5,2}", /maximum is below/);
    refused(Array.from({ length: 65 }, (_, i) => `w${i}`).join("|"), /more than 64 alternatives/);
    refused("(".repeat(17) + "a" + ")".repeat(17), /more than 16 deep/);
  });

  it("lets through what no shape check can tell from a harmless pattern: the git process's time limit bounds those", () => {
    // Quadratic in the line length in glibc (18 s on one 50,000-character line), like plain a+z:
    // the search and policy integration tests run such patterns against such a line under a time limit.
    ok("(a|aa)+$");
    ok("[a-z]+z");
  });

  it("refuses long patterns (a 10 KB pattern), empty ones and line breaks, in both kinds", () => {
    const long = "a".repeat(10 * 1024);
    for (const kind of ["fixed", "regex"] as const) {
      assert.match(linePatternProblem(long, kind)!, new RegExp(`at most ${LINE_PATTERN_MAX}`));
      assert.match(linePatternProblem("", kind)!, /empty/);
      assert.match(linePatternProblem("a\nb", kind)!, /line break/);
      assert.match(linePatternProblem("a\u0000b", kind)!, /control character/);
    }
    assert.equal(linePatternProblem("a".repeat(LINE_PATTERN_MAX), "fixed"), null);
  });

  it("takes a fixed string as it is: regex characters are plain characters there", () => {
    for (const p of ["(a+)+$", "\\d", "[", "a{1000}", "x|y"]) assert.equal(linePatternProblem(p, "fixed"), null, p);
  });

  it("refuses syntax errors git would refuse, with a sentence saying what to write", () => {
    refused("(a", /\( without its \)/);
    refused("a)", /\) without its \(/);
    refused("[a-z", /\[ without its \]/);
    refused("[[:alpah:]]", /not a character class/);
    refused("[[:alpha:", /unterminated/);
    refused("*a", /repeats nothing/);
    refused("a|+b", /repeats nothing/);
    refused("^*", /repeats nothing/);
    refused("a{", /counted repetition/);
    refused("a{x}", /counted repetition/);
    refused("abc\\", /lone backslash/);
  });

  it("checkLinePattern throws bad_parameter naming the parameter", () => {
    assert.equal(checkLinePattern("q", "telnet", "regex"), "telnet");
    assert.throws(
      () => checkLinePattern("q", "(a+)+$", "regex"),
      (e: unknown) => e instanceof RosarchiveError && e.code === "bad_parameter" && e.data.param === "q" && e.message.startsWith("q: "),
    );
  });
});
