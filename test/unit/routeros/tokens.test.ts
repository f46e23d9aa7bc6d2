import assert from "node:assert/strict";
import { valueTokens } from "../../../src/routeros/tokens.js";

const names = (line: string) => valueTokens(line).map((t) => t.name);
const pairs = (line: string) => valueTokens(line).map((t) => [t.name, t.raw]);

describe("routeros valueTokens", () => {
  it("splits bare and quoted values, keeping quotes and escapes in raw", () => {
    const line = 'add name=x password="a b\\"c" comment=hi';
    assert.deepEqual(pairs(line), [
      ["name", "x"],
      ["password", '"a b\\"c"'],
      ["comment", "hi"],
    ]);
  });

  it("gives offsets that slice back to the raw token", () => {
    const line = 'set [ find default-name=wlan1 ] comment="x \\\\ y \\$z \\? \\E2\\80\\99" disabled=no';
    for (const t of valueTokens(line)) assert.equal(line.slice(t.start, t.end), t.raw);
    assert.deepEqual(pairs(line)[1], ["comment", '"x \\\\ y \\$z \\? \\E2\\80\\99"']);
  });

  it("a backslash before the closing quote does not end the value", () => {
    assert.deepEqual(pairs('set secret="ends in \\\\" next=1'), [
      ["secret", '"ends in \\\\"'],
      ["next", "1"],
    ]);
    assert.deepEqual(pairs('set secret="has \\" quote" next=1'), [
      ["secret", '"has \\" quote"'],
      ["next", "1"],
    ]);
  });

  it("expands dotted shorthand from the previous dotted name", () => {
    const line = 'set [ find default-name=wifi1 ] configuration.country="United Kingdom" .mode=ap .ssid=praze disabled=no security.authentication-types=wpa2-psk .passphrase="x y"';
    assert.deepEqual(names(line), [
      "default-name",
      "configuration.country",
      "configuration.mode",
      "configuration.ssid",
      "disabled",
      "security.authentication-types",
      "security.passphrase",
    ]);
    assert.equal(valueTokens(line).at(-1)!.raw, '"x y"');
  });

  it("returns tokens inside find selectors, and a bare value there ends at ]", () => {
    assert.deepEqual(pairs("set [ find default=yes ] name=public"), [
      ["default", "yes"],
      ["name", "public"],
    ]);
    assert.deepEqual(pairs("set [find name=x] password=y"), [
      ["name", "x"],
      ["password", "y"],
    ]);
  });

  it("keeps whole names: policy lists, always-allow-password-login, public-key", () => {
    assert.deepEqual(pairs("add name=a policy=read,write,password group=full"), [
      ["name", "a"],
      ["policy", "read,write,password"],
      ["group", "full"],
    ]);
    assert.deepEqual(names("set always-allow-password-login=no host-key-size=2048"), ["always-allow-password-login", "host-key-size"]);
    assert.deepEqual(pairs('add public-key="Z2Ja/Xl+Q9DM=" name=p'), [
      ["public-key", '"Z2Ja/Xl+Q9DM="'],
      ["name", "p"],
    ]);
  });

  it("returns empty values, bare and quoted", () => {
    assert.deepEqual(pairs('set password="" comment= user=x'), [
      ["password", '""'],
      ["comment", ""],
      ["user", "x"],
    ]);
  });

  it("skips words without '=' (verbs, item numbers, !unset flags)", () => {
    assert.deepEqual(names("set 0 cpu-flow-control=yes !l2tpv3-ether-interface-list max-mtu=1450"), ["cpu-flow-control", "max-mtu"]);
  });

  it("returns [] for comments and plain menu lines", () => {
    assert.deepEqual(valueTokens("# software id = D555-50G3"), []);
    assert.deepEqual(valueTokens("/interface wireless security-profiles"), []);
    assert.deepEqual(valueTokens(""), []);
  });

  it("returns the tokens of a command written on its menu line", () => {
    assert.deepEqual(pairs("/ppp secret add name=a password=b"), [
      ["name", "a"],
      ["password", "b"],
    ]);
  });

  it("does not see name=value inside a quoted value", () => {
    assert.deepEqual(pairs('add comment="password=hunter2 x" name=n'), [
      ["comment", '"password=hunter2 x"'],
      ["name", "n"],
    ]);
  });

  it("runs an unterminated quote to the end of the line", () => {
    assert.deepEqual(pairs('add password="abc def'), [["password", '"abc def']]);
  });
});
