import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { joinWraps } from "../../../src/normalize/index.js";
import { exportHeaderLine, renderExport, usesIsoDate, wrapLine, WRAP_WIDTH } from "../../../src/simulator/index.js";
import { FIXTURES } from "../../helpers/tmp.js";

const logical = (text: string) => joinWraps(text.replace(/\r\n|\r/g, "\n").split("\n"), ROUTEROS);

describe("simulator export rendering", () => {
  it("dates the header in the version's format: v6 and v7 before 7.10 month/day/year, 7.10+ ISO", () => {
    const now = new Date(2026, 10, 23, 15, 4, 5);
    assert.equal(exportHeaderLine("6.48.4", now), "# nov/23/2026 15:04:05 by RouterOS 6.48.4");
    assert.equal(exportHeaderLine("7.5", now), "# nov/23/2026 15:04:05 by RouterOS 7.5");
    assert.equal(exportHeaderLine("7.16.2", now), "# 2026-11-23 15:04:05 by RouterOS 7.16.2");
    assert.ok(usesIsoDate("7.10") && !usesIsoDate("7.9.2"));
    for (const v of ["6.48.4", "7.16.2"]) assert.match(exportHeaderLine(v, now), ROUTEROS.header.pattern);
  });

  it("wraps long command lines at 80 columns with `\\` and a four-space indent, and joins back exactly", () => {
    const line = "add " + Array.from({ length: 30 }, (_, i) => `param-${i}=value-${i}`).join(" ");
    const pieces = wrapLine(line);
    assert.ok(pieces.length > 1);
    assert.ok(pieces.every((p) => p.length <= WRAP_WIDTH));
    assert.ok(pieces.slice(0, -1).every((p) => p.endsWith("\\")));
    assert.ok(pieces.slice(1).every((p) => p.startsWith("    ")));
    assert.deepEqual(joinWraps(pieces, ROUTEROS), [line]);
    // A value of backslashes and no spaces: still exact after joining.
    const nasty = "set comment=" + "\\\\".repeat(60) + "x".repeat(100);
    assert.deepEqual(joinWraps(wrapLine(nasty), ROUTEROS), [nasty]);
    assert.deepEqual(wrapLine("# " + "c".repeat(200)), ["# " + "c".repeat(200)], "comments are never wrapped");
  });

  for (const name of ["v6.43.8-rb941-verbose.rsc", "v7.17.2-chr-verbose-sensitive.rsc", "v7-noheader-router.rsc"]) {
    it(`prints ${name} with CRLF endings and the same logical lines, header excepted`, () => {
      const text = readFileSync(path.join(FIXTURES, name), "utf8");
      const r = renderExport(text, ROUTEROS, false);
      const out = Buffer.concat([r.before, r.hasHeader ? Buffer.from("# HEADER\r\n") : Buffer.alloc(0), r.after]).toString("utf8");
      assert.ok(out.endsWith("\r\n"));
      assert.doesNotMatch(out.replace(/\r\n/g, ""), /[\r\n]/, "every line ends in CRLF");
      const want = logical(text).filter((l) => l !== "").map((l) => (ROUTEROS.header.pattern.test(l) ? "# HEADER" : l));
      assert.deepEqual(logical(out).filter((l) => l !== ""), want);
      assert.equal(r.hasHeader, name !== "v7-noheader-router.rsc");
    });
  }

  it("hides sensitive values like v7 /export without show-sensitive, and keeps everything else", () => {
    const text = [
      "# 2025-01-01 00:00:00 by RouterOS 7.16.2",
      "/interface wireguard",
      "add listen-port=13231 mtu=1420 name=wg0 private-key=\"yGQ3FH40WUmzvhHvXI3h/1VaVCRaswXXhOtRQTjymUg=\"",
      "/interface wifi",
      "set [ find default-name=wifi1 ] .ssid=home security.passphrase=hunter22 disabled=no",
      "/ip firewall filter",
      "add action=accept chain=input comment=\"password=not-a-param\"",
    ].join("\n");
    const shown = renderExport(text, ROUTEROS, false).after.toString("utf8");
    const hidden = renderExport(text, ROUTEROS, true).after.toString("utf8");
    assert.match(shown, /private-key=/);
    assert.doesNotMatch(hidden, /private-key|yGQ3|hunter22|passphrase/);
    assert.match(hidden, /add listen-port=13231 mtu=1420 name=wg0\r\n/);
    assert.match(hidden, /\.ssid=home disabled=no/);
    assert.match(hidden, /comment="password=not-a-param"/);
  });
});
