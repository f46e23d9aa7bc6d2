import assert from "node:assert/strict";
import { firstControlCharacter, printable } from "../../../src/common/index.js";

describe("common: control characters", () => {
  it("printable() replaces every control character a device could send, so a field can never steer a terminal", () => {
    assert.equal(printable("7.16.2\u001b]0;x\u0007\u0000<b>\r\nnext\ttab\u009b"), "7.16.2?]0;x??<b>??next tab?");
    assert.equal(printable("plain text: ünïcödé"), "plain text: ünïcödé");
  });

  it("finds the first C0 control byte other than TAB, CR and LF", () => {
    assert.equal(firstControlCharacter("/ip address\r\nadd\taddress=1\n"), -1);
    assert.equal(firstControlCharacter("/ip\nadd comment=\u001b[31m\n"), 16);
    assert.equal(firstControlCharacter("\u0007"), 0);
  });
});
