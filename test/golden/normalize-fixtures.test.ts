import assert from "node:assert/strict";
import { normalize } from "../../src/normalize/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { rewrap, routerosFixtures } from "./fixtures.js";

/** Volatile lines as RouterOS prints them, to be inserted into real exports. */
const VOLATILE_SAMPLES = [
  "# inactive time",
  "# ether1 not ready",
  "# received packet from 10.0.0.2 bad format",
  "# poe-out status: short_circuit",
  "# managed by CAPsMAN",
  "# channel: 5180/20-Ceee/ac(17dBm), SSID: Office, local forwarding",
  "# Interface not active",
  "# wlan1 not running",
  "# Firmware upgraded successfully, please reboot for changes to take effect!",
  "# ipv6 neighbor configuration has changed, please restart the device in order to apply the new settings",
  "# managed by CAPsMAN 192.168.200.1, traffic processing on CAP",
  "# mode: AP, SSID: main, channel: 2437/n",
  "# ",
];

function endsInUnescapedBackslash(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

/** Inserts a volatile line before every command line that is not a continuation. */
function withVolatileComments(text: string): string {
  let k = 0;
  return text
    .split("\n")
    .flatMap((line) => (/^(add|set) /.test(line) ? [VOLATILE_SAMPLES[k++ % VOLATILE_SAMPLES.length]!, line] : [line]))
    .join("\n");
}

describe("normalize on every RouterOS fixture", () => {
  const fixtures = routerosFixtures();

  it("finds the fixtures", () => {
    assert.ok(fixtures.length >= 9, `only ${fixtures.length} fixtures found`);
  });

  for (const fx of fixtures) {
    describe(fx.name, () => {
      const once = normalize(fx.text, ROUTEROS);
      const lf = fx.text.replace(/\r\n?/g, "\n");

      it("is idempotent", () => {
        assert.equal(normalize(once, ROUTEROS), once);
      });

      it("gives the same text for LF, CRLF and lone CR line endings", () => {
        assert.equal(normalize(lf, ROUTEROS), once);
        assert.equal(normalize(lf.replace(/\n/g, "\r\n"), ROUTEROS), once);
        assert.equal(normalize(lf.replace(/\n/g, "\r"), ROUTEROS), once);
      });

      it("does not depend on the header date (both date formats)", () => {
        if (fx.version === null) return; // no header to re-date
        const header = /^# .* by RouterOS \S+/m;
        assert.match(lf, header);
        for (const date of ["dec/31/2030 23:59:59", "2030-12-31 23:59:59", "jan/02/1970 00:00:01"]) {
          const redated: string = lf.replace(header, `# ${date} by RouterOS ${fx.version}`);
          assert.equal(normalize(redated, ROUTEROS), once, date);
        }
      });

      for (const width of [12, 40, 79, 80, 132, 400]) {
        it(`does not depend on the wrap width (${width} columns)`, () => {
          assert.equal(normalize(rewrap(fx.text, width), ROUTEROS), once);
        });
      }

      it("does not depend on volatile comments", () => {
        assert.equal(normalize(withVolatileComments(lf), ROUTEROS), once);
      });

      it("leaves no line ending in an unescaped backslash", () => {
        const bad = once.split("\n").filter(endsInUnescapedBackslash);
        assert.deepEqual(bad, []);
      });

      it("leaves no volatile comment", () => {
        const lines = once.split("\n");
        const body = lines.slice(lines.findIndex((l) => l.startsWith("/"))); // the header block is never tested
        const bad = body.filter((l) => ROUTEROS.volatileComments.some((v) => v.pattern.test(l)));
        assert.deepEqual(bad, []);
      });

      it("starts with `# RouterOS <version>` when the export has a header", () => {
        const first = once.split("\n", 1)[0];
        if (fx.version === null) assert.ok(first?.startsWith("/"), `unexpected first line ${first}`);
        else assert.equal(first, `# RouterOS ${fx.version}`);
        assert.equal(ROUTEROS.versionFromExport(once), fx.version);
        assert.equal(ROUTEROS.versionFromExport(fx.text), fx.version);
      });

      it("keeps the other header comments and menu lines", () => {
        for (const line of lf.split("\n")) {
          if (/^# (software id|model|serial number|system id) =/.test(line) || line.startsWith("/")) {
            assert.ok(once.includes(line.trimEnd() + "\n"), `lost: ${line}`);
          }
        }
      });

      it("ends with exactly one newline and has no trailing blanks or double blank lines", () => {
        assert.ok(once.endsWith("\n") && !once.endsWith("\n\n"));
        assert.ok(!/[ \t]\n/.test(once));
        assert.ok(!once.includes("\n\n\n"));
        assert.ok(!once.includes("\r"));
      });
    });
  }
});
