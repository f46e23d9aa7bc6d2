import assert from "node:assert/strict";
import { extractRancidExport } from "../../../src/migrate/index.js";
import { normalize } from "../../../src/normalize/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { readFixture } from "../../helpers/simulator.js";
import { iosConfig, rancidStore, routerExport } from "../../helpers/source-repos.js";

describe("migrate: the export from what RANCID stored", () => {
  for (const legacy of [false, true]) {
    it(`${legacy ? "mtrancid (#RANCID-CONTENT-TYPE: mikrotik)" : "the routeros module (!RANCID-CONTENT-TYPE: routeros)"}: RANCID's comments go, the version comes back from the package line`, () => {
      const text = readFixture("v7.17.2-chr-verbose-sensitive.rsc");
      const stored = rancidStore(routerExport(text, "7.17.2", new Date("2024-01-02T03:04:05Z")), "7.17.2", { legacy });
      const got = extractRancidExport(stored);
      assert.ok(got.ok, JSON.stringify(got));
      assert.equal(got.version, "7.17.2");
      const lines = got.text.split("\n");
      assert.equal(lines[0], "# RouterOS 7.17.2");
      assert.match(lines[1]!, /^\/interface /);
      assert.ok(!lines.some((l) => l.startsWith("!") || /routerboard:|name="routeros"/.test(l)));
      // What RANCID kept of the configuration lines is there, in order: every menu of the export.
      const menus = (t: string) => normalize(t, ROUTEROS).split("\n").filter((l) => ROUTEROS.sectionOf(l) !== null && !l.includes("="));
      assert.deepEqual(menus(got.text), menus(text));
    });
  }

  it("other device types, a file without RANCID's header, an empty placeholder and an export without lines are refused", () => {
    const cases: Array<[string, string]> = [
      [`!RANCID-CONTENT-TYPE: cisco\n!\n${iosConfig("r1", "x")}`, "not_routeros"],
      [iosConfig("r1", "x"), "not_routeros"],
      ["", "empty"],
      ["!RANCID-CONTENT-TYPE: routeros\n!\n# name=\"routeros\" version=\"7.16.2\"\n!\n", "no_export"],
      ["!RANCID-CONTENT-TYPE: routeros\n!\nfailure: not enough permissions (9)\n", "error_output"],
    ];
    for (const [stored, reason] of cases) {
      const got = extractRancidExport(stored);
      assert.equal(got.ok ? "ok" : got.reason, reason, stored.slice(0, 80));
    }
  });
});
