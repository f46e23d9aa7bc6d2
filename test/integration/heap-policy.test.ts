import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { growthPercent } from "../../src/cli/heap-policy.js";
import { REPO_ROOT } from "../helpers/tmp.js";

const run = promisify(execFile);
const MB = 2 ** 20;

/** Full collections of one churn run (see test/helpers/heap-churn.ts). */
async function majors(mode: "policy" | "flat"): Promise<number> {
  const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, "dist/test/helpers/heap-churn.js"), mode]);
  return (JSON.parse(stdout) as { majors: number }).majors;
}

/**
 * A service with a small heap that pages through cold history collects its
 * whole heap often; each pause lands in some request. The heap policy
 * lets a heap under 64 MB grow to 64 MB while that happens, and grows in
 * 10 % steps otherwise (what keeps a large first round's memory down).
 */
describe("heap policy: growth step", function () {
  this.timeout(120_000);

  it("grows a quiet heap by 10 %, a busy one under 64 MB to 64 MB, a busy larger one by 10 %", () => {
    assert.equal(growthPercent(32 * MB, 5000), 10, "collections far apart");
    assert.equal(growthPercent(32 * MB, 200), 100, "32 MB may double to 64");
    assert.equal(growthPercent(48 * MB, 200), 34, "48 MB may grow by 16 MB");
    assert.equal(growthPercent(62 * MB, 200), 10, "never less than the settled step");
    assert.equal(growthPercent(200 * MB, 200), 10, "a large heap keeps 10 % steps");
  });

  it("makes fewer full collections than a flat 10 % step on a busy 40 MB heap", async () => {
    // Three runs of each: the counts vary by a few between runs.
    const policy: number[] = [];
    const flat: number[] = [];
    for (let i = 0; i < 3; i++) {
      policy.push(await majors("policy"));
      flat.push(await majors("flat"));
    }
    const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
    assert.ok(sum(policy) * 1.5 < sum(flat), `full collections: policy ${policy.join(", ")}, flat 10 % ${flat.join(", ")}`);
  });
});
