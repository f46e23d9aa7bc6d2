import assert from "node:assert/strict";
import { COMMANDS, parseVersion, versionFromExport } from "../../../src/routeros/index.js";

describe("routeros: COMMANDS", () => {
  it("probes the version with :put", () => {
    assert.equal(COMMANDS.version, ":put [/system resource get version]");
  });

  it("asks v7 for secrets and sends v6 the plain /export it accepts", () => {
    assert.equal(COMMANDS.exportFor("7.16.2"), "/export show-sensitive");
    assert.equal(COMMANDS.exportFor("7.16.2 (stable)"), "/export show-sensitive");
    assert.equal(COMMANDS.exportFor("7.5"), "/export show-sensitive");
    assert.equal(COMMANDS.exportFor("8.0"), "/export show-sensitive");
    assert.equal(COMMANDS.exportFor("6.48.4"), "/export");
    assert.equal(COMMANDS.exportFor("6.43.8 (long-term)"), "/export");
  });
});

describe("routeros: parseVersion", () => {
  it("keeps the version word of what :put prints, v6 and v7", () => {
    assert.equal(parseVersion("7.16.2 (stable)\r\n"), "7.16.2");
    assert.equal(parseVersion("6.48.4 (long-term)\r\n"), "6.48.4");
    assert.equal(parseVersion("\r\n  7.15rc3 (testing)\r\n"), "7.15rc3");
    assert.equal(parseVersion("7.5"), "7.5");
    assert.equal(parseVersion("7"), "7");
    assert.equal(parseVersion("7.0beta5"), "7.0beta5");
  });

  it("refuses anything that is not exactly a version: errors, appended bytes, escapes, markup", () => {
    assert.equal(parseVersion("bad command name put (line 1 column 2)\r\n"), null);
    assert.equal(parseVersion(""), null);
    assert.equal(parseVersion("7.16.2\u001b]0;x\u0007\u0000<script>"), null);
    assert.equal(parseVersion("7.16.2<script>"), null);
    assert.equal(parseVersion("7.16.2-custom"), null);
    assert.equal(parseVersion("7.16.2rc"), null);
    assert.equal(parseVersion("v7.16.2"), null);
    assert.equal(parseVersion(`7.${"1".repeat(40)}`), null);
  });
});

describe("routeros: versionFromExport", () => {
  it("reads both dated headers and the normalized one", () => {
    assert.equal(versionFromExport("# jan/02/1970 06:11:28 by RouterOS 6.43.8\r\n# software id = X\r\n/ip address\r\n"), "6.43.8");
    assert.equal(versionFromExport("# 2024-01-04 18:22:26 by RouterOS 7.17.2\n/ip address\n"), "7.17.2");
    assert.equal(versionFromExport("# RouterOS 7.17.2\n# software id = X\n/ip address\n"), "7.17.2");
    assert.equal(versionFromExport("\n# oct/13/2023 21:47:56 by RouterOS 7.5\r/interface bridge\r"), "7.5");
  });

  it("is null for a header whose version is not a version", () => {
    assert.equal(versionFromExport("# 2024-01-04 18:22:26 by RouterOS 7.17.2<script>\n/ip address\n"), null);
  });

  it("returns null without a header, and ignores comments after the first command", () => {
    assert.equal(versionFromExport("/interface bridge\nadd name=bridge1\n"), null);
    assert.equal(versionFromExport("/system note\n# RouterOS 7.1\n"), null);
    assert.equal(versionFromExport(""), null);
  });
});
