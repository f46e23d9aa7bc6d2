import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ERROR_LINES } from "../../../src/routeros/index.js";
import { FIXTURES } from "../../helpers/tmp.js";

const isError = (line: string) => ERROR_LINES.some((re) => re.test(line));

describe("routeros: ERROR_LINES", () => {
  it("recognizes what RouterOS prints when a command fails", () => {
    for (const line of [
      "bad command name show-sensitive (line 1 column 9)",
      "expected end of command (line 1 column 9)",
      "syntax error (line 1 column 5)",
      "failure: not enough permissions",
      "  expected end of command (line 1 column 9)",
    ]) {
      assert.ok(isError(line), line);
      assert.ok(isError(line), `${line} (second call: no stateful g flag)`);
    }
  });

  it("does not flag configuration that mentions the words", () => {
    assert.ok(!isError('add comment="syntax error on uplink" name=x'));
    assert.ok(!isError('set note="failure: none"'));
    assert.ok(!isError("# failure counter"));
  });

  it("finds no error line in any real export", () => {
    for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith(".rsc"))) {
      const bad = readFileSync(path.join(FIXTURES, f), "utf8").split(/\r\n|\r|\n/).filter(isError);
      assert.deepEqual(bad, [], f);
    }
  });
});
