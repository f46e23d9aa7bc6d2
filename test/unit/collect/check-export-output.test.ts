import assert from "node:assert/strict";
import { checkExportOutput } from "../../../src/collect/index.js";
import { RosarchiveError } from "../../../src/common/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";

const GOOD = "# 2024-01-04 18:22:26 by RouterOS 7.16.2\r\n/interface bridge\r\nadd name=bridge1\r\n";
const MAX = 64 * 1024 * 1024;

function invalid(output: Buffer | string, exitCode: number | null, maxBytes = MAX): string {
  try {
    checkExportOutput(output, exitCode, ROUTEROS, maxBytes);
  } catch (err) {
    assert.ok(err instanceof RosarchiveError);
    assert.equal(err.code, "invalid_output");
    return err.message;
  }
  assert.fail("the output was accepted");
}

describe("checkExportOutput", () => {
  it("returns the text of a good export, bytes untouched", () => {
    assert.equal(checkExportOutput(Buffer.from(GOOD), 0, ROUTEROS, MAX), GOOD);
    assert.equal(checkExportOutput(GOOD, 0, ROUTEROS, MAX), GOOD);
  });

  it("refuses a missing exit status: the channel closed early, the export may be truncated", () => {
    assert.match(invalid(GOOD, null), /without an exit status/);
  });

  it("refuses a non-zero exit status", () => {
    assert.match(invalid(GOOD, 1), /status 1/);
  });

  it("refuses empty output", () => {
    assert.match(invalid("", 0), /empty/);
  });

  it("refuses output without a menu line", () => {
    assert.match(invalid("# 2024-01-04 18:22:26 by RouterOS 7.16.2\r\n", 0), /no menu line/);
  });

  for (const line of [
    "bad command name export (line 1 column 2)",
    "expected end of command (line 1 column 9)",
    "syntax error (line 1 column 5)",
    "failure: not enough permissions",
  ]) {
    it(`refuses a RouterOS error line: ${line}`, () => {
      const msg = invalid(`/interface bridge\r\n${line}\r\n`, 0);
      assert.match(msg, /line 2/);
      assert.ok(!msg.includes("bridge"), "the reason must not quote the output");
    });
  }

  it("refuses output at or above maxBytes", () => {
    assert.match(invalid(GOOD, 0, Buffer.byteLength(GOOD)), /limit/);
    assert.equal(checkExportOutput(GOOD, 0, ROUTEROS, Buffer.byteLength(GOOD) + 1), GOOD);
  });

  it("refuses bytes that are not UTF-8", () => {
    assert.match(invalid(Buffer.concat([Buffer.from("/interface\r\n"), Buffer.from([0xff, 0xfe, 0xc3, 0x28])]), 0), /UTF-8/);
  });

  it("refuses NUL bytes (a binary backup is not an export)", () => {
    assert.match(invalid(Buffer.from("/interface\r\n\0\0"), 0), /NUL/);
  });

  it("refuses a physical line longer than the platform allows (RouterOS wraps at 80 columns); accepts one at the limit", () => {
    const at = `${GOOD}/system note\r\nset note="${"x".repeat(ROUTEROS.maxLineLength - 11)}"\r\n`;
    assert.equal(checkExportOutput(at, 0, ROUTEROS, MAX), at);
    assert.match(invalid(at.replace('="x', '="xx'), 0), /line 5 of the output is 65537 characters long/);
  });

  it("never echoes a secret from the output", () => {
    const msg = invalid("/user\r\nadd password=hunter2\r\nbad command name x (line 1 column 1)\r\n", 0);
    assert.ok(!msg.includes("hunter2"));
  });
});
