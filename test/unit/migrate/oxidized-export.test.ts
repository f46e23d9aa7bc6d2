import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { extractOxidizedExport } from "../../../src/migrate/index.js";
import { normalize } from "../../../src/normalize/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { sensitiveValues } from "../../helpers/secrets.js";
import { readFixture } from "../../helpers/simulator.js";
import { iosConfig, OXIDIZED_FIXTURES, oxidizedStore, oxidizedStoreError, preambleAnswers, readSimulation, routerExport } from "../../helpers/source-repos.js";

const RECORDED = ["CHR_7.10.1", "CHR_7.16", "L009UiGS_7.15.2", "RB5009UPrpSp_7.18.2"];

function recorded(name: string) {
  const sim = readSimulation(`routeros_${name}.simulation.yaml`);
  const exportText = [...sim.entries()].find(([k]) => k.startsWith("/export"))![1];
  const answers = { resource: sim.get("/system resource print")!, packageUpdate: sim.get("/system package update print")!, history: sim.get("/system history print without-paging")! };
  return { exportText, answers, stored: readFileSync(path.join(OXIDIZED_FIXTURES, `routeros_${name}.output.txt`), "utf8") };
}

describe("migrate: the export from what Oxidized stored", () => {
  for (const name of RECORDED) {
    it(`${name}: the test helper stores exactly what Oxidized's own test expects`, () => {
      const r = recorded(name);
      assert.equal(oxidizedStore(r.exportText, r.answers), r.stored);
    });

    it(`${name}: the extracted export normalizes to the router's own export, version from the resource print`, () => {
      const r = recorded(name);
      const got = extractOxidizedExport(r.stored);
      assert.ok(got.ok, JSON.stringify(got));
      assert.equal(got.version, name.replace(/^.*_/, ""));
      assert.equal(normalize(got.text, ROUTEROS), normalize(r.exportText, ROUTEROS));
      assert.doesNotMatch(got.text, /installed-version|ACTION|architecture-name/, "no preamble line is left");
      assert.match(got.text, new RegExp(`^# RouterOS ${got.version!.replace(/\./g, "\\.")}\\n# software id = `));
    });
  }

  for (const fixture of ["v7.17.2-chr-verbose-sensitive.rsc", "v6.48.4-rb952-wifi.rsc", "v7.18.2-wifi.rsc", "v6.43.8-rb941-verbose.rsc"]) {
    it(`${fixture}: a stored collection gives back the export, wrapped lines and secrets included`, () => {
      const text = readFixture(fixture);
      const version = /by RouterOS (\S+)/.exec(text)![1]!;
      const stored = oxidizedStore(routerExport(text, version, new Date("2024-05-06T07:08:09Z")), preambleAnswers(version, ["dns changed"]));
      const got = extractOxidizedExport(stored);
      assert.ok(got.ok, JSON.stringify(got));
      assert.equal(got.version, version);
      assert.equal(normalize(got.text, ROUTEROS), normalize(text, ROUTEROS));
    });
  }

  it("an older Oxidized: CR LF kept, /system routerboard print preamble, the ISO-dated line of v7.10+ kept", () => {
    const text = readFixture("v7.18.2-wifi.rsc");
    const printed = routerExport(text, "7.18.2", new Date("2023-03-04T05:06:07Z"));
    // The model of 2021-2024: no `cmd :all` strip, only the v6 date form removed, routerboard and package lines as printed.
    const preamble = "#        model: RBD53iG-5HacD2HnD\r\n#   serial-number: E7290D45E8BC\r\n#   firmware-type: ipq4000L\r\n# current-firmware: 7.18.2\r\n#   installed-version: 7.18.2\r\n# Flags: U - UNDOABLE\r\n";
    const body = printed.replace(/\\\r?\n\s+/g, "").split("\n").filter((l) => !/^#\s\w{3}\/\d{2}\/\d{4}.*$/.test(l)).join("\n");
    const got = extractOxidizedExport(preamble + body);
    assert.ok(got.ok, JSON.stringify(got));
    assert.equal(got.version, "7.18.2");
    assert.equal(normalize(got.text, ROUTEROS), normalize(text, ROUTEROS));
    assert.match(got.text, /^# 2023-03-04 \d\d:\d\d:\d\d by RouterOS 7\.18\.2/);
  });

  it("a v6 package line (current-version) names the version when there is no resource print", () => {
    const text = readFixture("v6.46.6-crs125.rsc").replace(/^# .* by RouterOS .*\r?\n/, "");
    const got = extractOxidizedExport(`#   current-version: 6.46.6\n# Flags: U - undoable\n${text}`);
    assert.ok(got.ok);
    assert.equal(got.version, "6.46.6");
    assert.equal(normalize(got.text, ROUTEROS), normalize(readFixture("v6.46.6-crs125.rsc"), ROUTEROS));
  });

  it("stored error output, another model, an empty file and a preamble alone are refused with a reason, never quoting the file", () => {
    const secretText = readFixture("v7.17.2-chr-verbose-sensitive.rsc");
    const secret = sensitiveValues(secretText).find((s) => s.length >= 8)!;
    const answers = preambleAnswers("6.48.4", [`password ${secret}`]);
    const cases: Array<[string, string, string]> = [
      [oxidizedStoreError(answers), "error_output", "is a RouterOS error message"],
      [oxidizedStoreError(answers, "bad command name show-sensitive (line 1 column 9)"), "error_output", "error message"],
      [iosConfig("sw-ios", secret), "not_routeros", "not a RouterOS menu line"],
      ["", "empty", "empty"],
      [oxidizedStore("", answers), "no_export", "no export"],
      [`# just a note ${secret}\n`, "not_routeros", "only comment lines"],
    ];
    for (const [stored, reason, detail] of cases) {
      const got = extractOxidizedExport(stored);
      assert.equal(got.ok, false, stored.slice(0, 200));
      if (got.ok) continue;
      assert.equal(got.reason, reason, got.detail);
      assert.ok(got.detail.includes(detail), got.detail);
      assert.ok(!got.detail.includes(secret), "the reason quotes the stored text");
    }
  });
});
