import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { normalize } from "../../src/normalize/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { goldenPath, routerosFixtures } from "./fixtures.js";

/**
 * Each fixture's normalized text is kept as `<name>.normalized.rsc`, reviewed by
 * eye against the original once. A new fixture: run the tests with
 * ROSARCHIVE_UPDATE_GOLDEN=1 to write the missing file, then review its diff.
 * A changed golden means the archived bytes change: bump NORMALIZER_VERSION.
 */
describe("golden normalized fixtures", () => {
  for (const fx of routerosFixtures()) {
    it(`${fx.name}.normalized.rsc matches normalize(${fx.name}.rsc)`, () => {
      const actual = normalize(fx.text, ROUTEROS);
      const file = goldenPath(fx);
      if (!existsSync(file)) {
        if (process.env.ROSARCHIVE_UPDATE_GOLDEN) {
          writeFileSync(file, actual);
          return;
        }
        assert.fail(`${file} is missing: run with ROSARCHIVE_UPDATE_GOLDEN=1, then review it`);
      }
      assert.equal(actual, readFileSync(file, "utf8"));
    });
  }
});
