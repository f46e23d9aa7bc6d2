import assert from "node:assert/strict";
import { decodeValue, scriptCommands } from "../../../src/routeros/index.js";

/** `[menu, kind name=value-text]` for every token, in order: what a reader of the script sees. */
const read = (script: string) =>
  scriptCommands(script).map((c) => [c.menu, c.tokens.map((t) => `${t.kind === "variable" ? ":" : ""}${t.name}=${script.slice(t.start, t.end)}`)] as const);

describe("routeros: decodeValue (RouterOS string escapes)", () => {
  it("decodes every escape and maps each character back to its escape", () => {
    const raw = String.raw`"a\"b\\c\$d\?e\_f\r\n\t\D0\9Fz"`;
    const d = decodeValue(raw);
    assert.equal(d.text, 'a"b\\c$d?e f\r\n\t\xd0\x9fz');
    assert.equal(d.at.length, d.text.length + 1);
    assert.equal(raw.slice(d.at[1]!, d.at[2]!), '\\"', "the quote came from \\\"");
    assert.equal(raw.slice(d.at[d.text.length - 3]!, d.at[d.text.length - 1]!), "\\D0\\9F", "two hex escapes, two characters");
    assert.equal(d.at[d.text.length], raw.length - 1, "content ends at the closing quote");
  });

  it("leaves a bare word as it is and runs an unterminated string to the end", () => {
    assert.deepEqual(decodeValue("plain"), { text: "plain", at: [0, 1, 2, 3, 4, 5] });
    assert.equal(decodeValue('"abc').text, "abc");
    assert.equal(decodeValue('"ab\\').text, "ab\\");
  });
});

describe("routeros: scriptCommands", () => {
  it("reads menus (absolute, slash form, relative after a path-only line) and parameters", () => {
    assert.deepEqual(read("/ppp secret add name=a password=b\n/ppp/secret/set numbers=0 password=c\n/ip address\nadd address=1.2.3.4/24 interface=e1"), [
      ["/ppp secret", ["name=a", "password=b"]],
      ["/ppp secret", ["numbers=0", "password=c"]],
      ["/ip address", ["address=1.2.3.4/24", "interface=e1"]],
    ]);
  });

  it("takes a command's own menu inside [ find ... ], and lists nested commands after the outer one", () => {
    assert.deepEqual(read('/snmp community set [ find name="public" ] name=secretcomm'), [
      ["/snmp community", ["name=secretcomm"]],
      ["/snmp community", ['name="public"']],
    ]);
  });

  it("finds variables given by :local, :global and :set, and nothing for declarations", () => {
    assert.deepEqual(read(':local pw "x y"; :global token abc\r\n:set apiKey [/file get k contents]\n:global bare'), [
      [null, [':pw="x y"']],
      [null, [":token=abc"]],
      [null, [":apiKey=[/file get k contents]"]],
    ]);
  });

  it("gives a group value to its parameter and reads the commands inside it", () => {
    const s = ':if ($a) do={ /tool fetch password=x } else={ :put 1 }';
    const r = scriptCommands(s);
    assert.deepEqual(r.map((c) => c.tokens.map((t) => `${t.name}=${s.slice(t.start, t.end)}`)), [
      ["do={ /tool fetch password=x }", "else={ :put 1 }"],
      ["password=x"],
    ]);
  });

  it("reads a quoted value followed by more characters as one value, and skips comments", () => {
    assert.deepEqual(read('# password=not-a-param\n/tool fetch password="a"b url=x'), [["/tool fetch", ['password="a"b', "url=x"]]]);
  });

  it("does not stall or overflow on 100,000 nested brackets", () => {
    const s = `${"[".repeat(100_000)}password=x${"]".repeat(100_000)}`;
    const started = Date.now();
    const r = scriptCommands(s);
    assert.ok(Date.now() - started < 10_000);
    assert.equal(r.flatMap((c) => c.tokens).length, 1);
  });
});
