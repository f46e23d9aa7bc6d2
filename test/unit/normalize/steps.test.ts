import assert from "node:assert/strict";
import type { Platform } from "../../../src/common/index.js";
import {
  dropVolatile,
  joinWraps,
  normalize,
  NORMALIZER_VERSION,
  rewriteHeader,
  tidy,
  unifyLineEndings,
} from "../../../src/normalize/index.js";

/** A platform written here, not imported from src/routeros: the engine takes whatever it is given. */
const PLATFORM: Platform = {
  name: "test",
  maxLineLength: 1000,
  commentPrefix: "#",
  header: { pattern: /^# (?:[a-z]{3}\/\d{2}\/\d{4}|\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2} by RouterOS (\S+)/, replacement: "# RouterOS $1" },
  wrapIndent: "    ",
  volatileComments: [
    { pattern: /^\s*# inactive time\s*$/, reason: "test" },
    { pattern: /^\s*# .*\bnot running\s*$/, reason: "test" },
    { pattern: /^\s*#\s*$/, reason: "test" },
  ],
  sensitiveParams: [],
  scriptParams: [],
  keyedSecrets: [],
  secretWords: [],
  shapedParams: [],
  secretShapes: [],
  sealWholeScripts: false,
  errorLines: [],
  sectionOf: (line) => (line.startsWith("/") ? line : null),
  hasMenuLine: (text) => /^\//m.test(text),
  valueTokens: () => [],
  decodeValue: (raw) => ({ text: raw, at: [...Array(raw.length + 1).keys()] }),
  scriptCommands: () => [],
  commands: { version: "", exportFor: () => "", secretsNeedPermission: () => false },
  parseVersion: () => null,
  versionFromExport: () => null,
  headerVersionToken: () => null,
};

describe("normalize: unifyLineEndings (step 1)", () => {
  it("turns CRLF and lone CR into LF", () => {
    assert.equal(unifyLineEndings("a\r\nb\rc\nd\r\r\ne"), "a\nb\nc\nd\n\ne");
  });
});

describe("normalize: rewriteHeader (step 2)", () => {
  it("drops the v6 and the v7 date, keeps the version", () => {
    assert.deepEqual(rewriteHeader(["# jan/02/1970 06:11:28 by RouterOS 6.43.8"], PLATFORM), ["# RouterOS 6.43.8"]);
    assert.deepEqual(rewriteHeader(["# 2024-01-04 18:22:26 by RouterOS 7.17.2"], PLATFORM), ["# RouterOS 7.17.2"]);
  });

  it("keeps the other header comments", () => {
    const head = ["# 2024-01-04 18:22:26 by RouterOS 7.17.2", "# software id = ABCD-1234", "#", "# model = CCR2004", "# serial number = X1", "/ip address"];
    assert.deepEqual(rewriteHeader(head, PLATFORM), ["# RouterOS 7.17.2", ...head.slice(1)]);
  });

  it("touches only the leading comment block, not a dated comment further down", () => {
    const text = ["", "# 2024-01-04 18:22:26 by RouterOS 7.17.2", "/system note", "# 2024-01-04 18:22:26 by RouterOS 7.17.2"];
    assert.deepEqual(rewriteHeader(text, PLATFORM), ["", "# RouterOS 7.17.2", "/system note", "# 2024-01-04 18:22:26 by RouterOS 7.17.2"]);
  });
});

describe("normalize: joinWraps (step 3)", () => {
  it("joins a wrapped line without the backslash, the newline and the four spaces", () => {
    assert.deepEqual(joinWraps(["add a=1 \\", "    b=2"], PLATFORM), ["add a=1 b=2"]);
    assert.deepEqual(joinWraps(["add name=\\", "    ether1 x=y"], PLATFORM), ["add name=ether1 x=y"]);
  });

  it("chains several continuations", () => {
    assert.deepEqual(joinWraps(["set a=1 \\", "    b=\\", "    2 \\", "    c=3", "set d=4"], PLATFORM), ["set a=1 b=2 c=3", "set d=4"]);
  });

  it("does not join an escaped backslash (even run) at the end of a line", () => {
    assert.deepEqual(joinWraps(['add path="C:\\\\', '    x"'], PLATFORM), ['add path="C:\\\\', '    x"']);
  });

  it("joins after an escaped backslash followed by the continuation one (odd run)", () => {
    assert.deepEqual(joinWraps(['add v="a\\\\\\', '    b"'], PLATFORM), ['add v="a\\\\b"']);
  });

  it("needs the four-space indent on the next line", () => {
    assert.deepEqual(joinWraps(["add a=1 \\", "   b=2"], PLATFORM), ["add a=1 \\", "   b=2"]);
    assert.deepEqual(joinWraps(["add a=1 \\", "/ip route"], PLATFORM), ["add a=1 \\", "/ip route"]);
  });

  it("keeps spaces beyond the four of the indent", () => {
    assert.deepEqual(joinWraps(['add comment="a\\', '      b"'], PLATFORM), ['add comment="a  b"']);
  });

  it("ignores blanks after the continuation backslash", () => {
    assert.deepEqual(joinWraps(["add a=1 \\ \t", "    b=2"], PLATFORM), ["add a=1 b=2"]);
  });

  it("never continues a comment line (RouterOS wraps commands only)", () => {
    assert.deepEqual(joinWraps(["# see C:\\", "    add a=1"], PLATFORM), ["# see C:\\", "    add a=1"]);
  });

  it("counts a backslash run that spans wrapped pieces as one run", () => {
    // `a\\\` joined with `\` ends in three backslashes: still a continuation.
    assert.deepEqual(joinWraps(['add v="a\\\\\\', "    \\", '    b"'], PLATFORM), ['add v="a\\\\b"']);
    assert.deepEqual(joinWraps(['add v="a\\', "    \\", '    b"'], PLATFORM), ['add v="ab"']);
    assert.deepEqual(joinWraps(['add v="a\\\\', "    \\", '    b"'], PLATFORM), ['add v="a\\\\', '    b"']); // line 2 alone is a wrap head
  });

  it("joins a script wrapped over thousands of lines", () => {
    const pieces = Array.from({ length: 5000 }, (_, i) => `:put ${i}\\n\\`);
    const lines = ['add source="' + pieces[0]!, ...pieces.slice(1).map((p) => "    " + p), '    "'];
    assert.deepEqual(joinWraps(lines, PLATFORM), ['add source="' + pieces.map((p) => p.slice(0, -1)).join("") + '"']);
  });

  it("a wrap at the end of the text is left alone", () => {
    assert.deepEqual(joinWraps(["add a=1 \\"], PLATFORM), ["add a=1 \\"]);
  });
});

describe("normalize: dropVolatile (step 4)", () => {
  it("drops volatile comment lines, indented or between add lines", () => {
    const input = ["/interface ethernet", "# inactive time", "add a=1", "    # ether2 not running", "add b=2"];
    assert.deepEqual(dropVolatile(input, PLATFORM), ["/interface ethernet", "add a=1", "add b=2"]);
  });

  it("never touches the leading header block", () => {
    const input = ["", "# RouterOS 7.17.2", "# software id = X", "#", "# inactive time", "/interface wireless cap", "# ", "set enabled=yes"];
    assert.deepEqual(dropVolatile(input, PLATFORM), input.slice(0, 6).concat("set enabled=yes"));
  });

  it("keeps other comments and any command that merely contains the words", () => {
    const input = ["/interface bridge port-controller", "# disabled", "# PPTP connections are considered unsafe", 'add comment="# inactive time"', "add comment=\"not running\""];
    assert.deepEqual(dropVolatile(input, PLATFORM), input);
  });
});

describe("normalize: tidy (step 5)", () => {
  it("strips trailing spaces and tabs, keeps leading ones", () => {
    assert.equal(tidy(["a \t", "  b\t\t", "#  "]), "a\n  b\n#\n");
  });

  it("collapses runs of blank lines, drops leading and trailing ones, ends with one newline", () => {
    assert.equal(tidy(["", " ", "a", "", "\t", "", "b", "", ""]), "a\n\nb\n");
  });

  it("turns empty text into a single newline", () => {
    assert.equal(tidy([""]), "\n");
  });
});

describe("normalize: normalize (every step in order)", () => {
  const raw =
    "# 2024-01-04 18:22:26 by RouterOS 7.17.2\r\n# software id = ABCD\r\n#\r\n/interface ethernet\r\n" +
    "# inactive time\r\nset [ find default-name=ether1 ] comment=wan \\\r\n    mtu=1500   \r\n\r\n\r\n/ip address\r\nadd address=10.0.0.1/24 interface=ether1\r\n\r\n";

  it("produces the archived text", () => {
    assert.equal(
      normalize(raw, PLATFORM),
      "# RouterOS 7.17.2\n# software id = ABCD\n#\n/interface ethernet\nset [ find default-name=ether1 ] comment=wan mtu=1500\n\n/ip address\nadd address=10.0.0.1/24 interface=ether1\n",
    );
  });

  it("is idempotent, even on awkward input", () => {
    const awkward = [
      raw,
      "add a=1 \\\n# inactive time\n    b=2\n", // a volatile line inside a wrap
      "add a=1 \\ \n    b=2\n", // a blank after the backslash
      "# not a header \\\n    x\n/ip\n",
      "\n\n\nadd a=\\\\\n    b\n",
      "",
    ];
    for (const text of awkward) {
      const once = normalize(text, PLATFORM);
      assert.equal(normalize(once, PLATFORM), once, JSON.stringify(text));
    }
  });

  it("has a version for the commit trailer", () => {
    assert.equal(NORMALIZER_VERSION, 1);
  });
});
