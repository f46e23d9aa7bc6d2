import assert from "node:assert/strict";
import { HEADER } from "../../../src/routeros/index.js";

const rewrite = (line: string) => line.replace(HEADER.pattern, HEADER.replacement);

describe("routeros: HEADER (normalization step 2)", () => {
  it("rewrites the v6 / early v7 date format", () => {
    assert.equal(rewrite("# jan/02/1970 06:11:28 by RouterOS 6.43.8"), "# RouterOS 6.43.8");
    assert.equal(rewrite("# oct/13/2023 21:47:56 by RouterOS 7.5"), "# RouterOS 7.5");
  });

  it("rewrites the v7 ISO date format", () => {
    assert.equal(rewrite("# 2024-01-04 18:22:26 by RouterOS 7.17.2"), "# RouterOS 7.17.2");
  });

  it("keeps whatever follows the version on the header line", () => {
    assert.equal(rewrite("# 2024-01-04 18:22:26 by RouterOS 7.17.2 (stable)"), "# RouterOS 7.17.2 (stable)");
  });

  it("leaves other header comments and the normalized header alone", () => {
    for (const line of ["# software id = 5K79-3TCR", "# model = RB941-2nD", "# serial number = 9D7509D149BD", "# system id = abc", "# RouterOS 7.17.2", "#"]) {
      assert.equal(rewrite(line), line);
    }
  });
});
