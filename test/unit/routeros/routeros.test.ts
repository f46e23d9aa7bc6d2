import assert from "node:assert/strict";
import { COMMANDS, ERROR_LINES, HEADER, ROUTEROS, sectionOf, VOLATILE_COMMENTS, versionFromExport } from "../../../src/routeros/index.js";

describe("routeros: ROUTEROS platform", () => {
  it("is composed from the tables", () => {
    assert.equal(ROUTEROS.name, "routeros");
    assert.equal(ROUTEROS.commentPrefix, "#");
    assert.equal(ROUTEROS.wrapIndent, "    ");
    assert.equal(ROUTEROS.header, HEADER);
    assert.equal(ROUTEROS.volatileComments, VOLATILE_COMMENTS);
    assert.equal(ROUTEROS.errorLines, ERROR_LINES);
    assert.equal(ROUTEROS.commands, COMMANDS);
    assert.equal(ROUTEROS.sectionOf, sectionOf);
    assert.equal(ROUTEROS.versionFromExport, versionFromExport);
    assert.ok(Array.isArray(ROUTEROS.sensitiveParams));
    assert.equal(typeof ROUTEROS.valueTokens, "function");
  });

  it("is frozen", () => {
    assert.ok(Object.isFrozen(ROUTEROS));
  });
});
