import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "../../../src/common/index.js";

describe("common: durations", () => {
  it("reads 30s, 5m, 6h, 1d and 250ms as milliseconds", () => {
    assert.deepEqual(["30s", "5m", "6h", "1d", "250ms", " 2h "].map(parseDuration), [30_000, 300_000, 21_600_000, 86_400_000, 250, 7_200_000]);
  });

  it("refuses anything else: no unit, a unit it does not know, decimals, negatives, compound, overflow", () => {
    for (const bad of ["30", "5 m", "1w", "1.5h", "-5m", "1h30m", "", "h", `${"9".repeat(20)}d`]) assert.equal(parseDuration(bad), null, bad);
  });

  it("writes the largest whole unit back", () => {
    assert.deepEqual([21_600_000, 300_000, 90_000, 1500, 86_400_000].map(formatDuration), ["6h", "5m", "90s", "1500ms", "1d"]);
  });
});
