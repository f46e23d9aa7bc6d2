import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { FIXTURES } from "../../helpers/tmp.js";

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".rsc") && !f.endsWith(".normalized.rsc"));

describe("routeros: ROUTEROS platform", () => {
  it("knows every real export for what it is: a menu line, the version its header names, no error line", () => {
    for (const f of fixtures) {
      const text = readFileSync(path.join(FIXTURES, f), "utf8");
      assert.equal(ROUTEROS.hasMenuLine(text), true, f);
      const named = /^v(\d+(?:\.\d+)+)-/.exec(f)?.[1] ?? null;
      assert.equal(ROUTEROS.versionFromExport(text), named, f);
      assert.equal(text.split(/\r?\n/).some((l) => ROUTEROS.errorLines.some((re) => re.test(l))), false, f);
    }
  });

  it("knows what RouterOS prints when a command fails, and that it is not export text", () => {
    const refusal = "expected end of command (line 1 column 42)\r\n";
    assert.equal(ROUTEROS.hasMenuLine(refusal), false);
    assert.equal(ROUTEROS.errorLines.some((re) => re.test(refusal)), true);
    assert.equal(ROUTEROS.parseVersion(refusal), null);
  });

  it("sends v6 the export it accepts and asks v7 for its secrets", () => {
    assert.equal(ROUTEROS.commands.exportFor("6.49.10"), "/export");
    assert.equal(ROUTEROS.commands.exportFor("7.16.2"), "/export show-sensitive");
  });

  it("is frozen", () => {
    assert.ok(Object.isFrozen(ROUTEROS));
  });
});
