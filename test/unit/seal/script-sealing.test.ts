import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { extendPlatform, sealValues, unsealText } from "../../../src/seal/index.js";
import { makeAgePair, testIndexKey, type TestAgePair } from "../../helpers/age.js";
import { tempDir } from "../../helpers/tmp.js";

/**
 * Secrets inside script-bearing values, with every escape form RouterOS
 * prints in exports (after the normalizer joined wrapped lines): `\"`, `\\`,
 * `\$`, `\D0\9F` (UTF-8 bytes in hex), `\r\n`, `\t`, `\_` (a space at a wrap
 * point), `\?`, and a script inside a script (escapes doubled). Each case
 * lists, by hand, the exact text each sealed value must hold: the inner value
 * as written in the export line, escapes included.
 */
interface Case {
  readonly title: string;
  readonly menu: string;
  readonly line: string;
  /** The plaintext of each sealed value, in line order. */
  readonly sealed: readonly string[];
  /** Text that must still be readable after sealing. */
  readonly readable: readonly string[];
}

const CASES: readonly Case[] = [
  {
    title: "nested quotes, backslashes and dollars (\\\", \\\\, \\$)",
    menu: "/system script",
    line: String.raw`add dont-require-permissions=no name=s1 owner=admin policy=ftp,read,write source=":local pw \"s3cr\\\$et\"\r\n/tool fetch url=\"ftp://10.0.0.1/b.rsc\" user=u password=\"p\\\"w d\" upload=yes\r\n/tool fetch password=\"a\\\\b\" url=\"sftp://h/\""`,
    sealed: [String.raw`\"s3cr\\\$et\"`, String.raw`\"p\\\"w d\"`, String.raw`\"a\\\\b\"`],
    readable: [String.raw`url=\"ftp://10.0.0.1/b.rsc\" user=u password=age:`, "upload=yes"],
  },
  {
    title: "UTF-8 bytes in hex (\\D0\\9F...)",
    menu: "/system script",
    line: String.raw`add name=s2 source="/ppp secret add name=ivan password=\"\D0\9F\D0\B0\D1\80\D0\BE\D0\BB\D1\8C\" profile=default"`,
    sealed: [String.raw`\"\D0\9F\D0\B0\D1\80\D0\BE\D0\BB\D1\8C\"`],
    readable: ["/ppp secret add name=ivan password=age:", "profile=default"],
  },
  {
    title: "escaped space at a wrap point (\\_), tab (\\t), question mark (\\?)",
    menu: "/system script",
    line: String.raw`add name=s3 source="/tool fetch url=\"https://api.example/v1\?x=1\" mode=https\_user=api\_password=W4rp3d\t:put done"`,
    sealed: ["W4rp3d"],
    readable: [String.raw`url=\"https://api.example/v1\?x=1\"`, String.raw`\t:put done`],
  },
  {
    title: "a script inside a scheduler's script (escapes doubled)",
    menu: "/system scheduler",
    line: String.raw`add interval=1d name=setup on-event="/system script add name=inner source=\"/ppp secret add name=a password=\\\"in ner\\\"\"" start-time=startup`,
    sealed: [String.raw`\\\"in ner\\\"`],
    readable: [String.raw`/system script add name=inner source=\"/ppp secret add name=a password=age:`],
  },
  {
    title: "variables, an Authorization header, credentials in a URL, a do={} block; computed values stay",
    menu: "/tool netwatch",
    line: String.raw`add host=10.0.0.1 up-script=":global botToken \"123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw\"\r\n:local chat 42\r\n:if (\$chat > 0) do={ /tool fetch url=\"https://api.telegram.org/bot\$botToken/sendMessage\" http-header-field=\"Authorization: Bearer tok3nV4lue99\" }\r\n/tool fetch url=\"https://bob:hunter22@files.example/x\" password=\$pw"`,
    sealed: [String.raw`\"123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw\"`, String.raw`\"Authorization: Bearer tok3nV4lue99\"`, String.raw`\"https://bob:hunter22@files.example/x\"`],
    readable: [":local chat 42", String.raw`url=\"https://api.telegram.org/bot\$botToken/sendMessage\"`, String.raw`password=\$pw`],
  },
  {
    title: "a secret-shaped variable with an innocent name, :set, and [ find ] selectors",
    menu: "/ppp profile",
    line: String.raw`add name=vpn on-up=":local bot \"987654321:AAFfXyZ0123456789abcdefghijklmnopqrs\"; :set apiKey \"k-12345678\"; /ppp secret set [ find name=\"bob\" ] password=\"new pw\""`,
    sealed: [String.raw`\"987654321:AAFfXyZ0123456789abcdefghijklmnopqrs\"`, String.raw`\"k-12345678\"`, String.raw`\"new pw\"`],
    readable: [String.raw`[ find name=\"bob\" ]`],
  },
];

const SECRETS = ["s3cr", "p\\\\\\\"w d", "a\\\\\\\\b", "\\D0\\9F\\D0\\B0", "W4rp3d", "in ner", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "tok3nV4lue99", "hunter22", "AAFfXyZ0123456789", "k-12345678", "new pw"];

const TOKEN = /age:[A-Za-z0-9_-]+/g;

describe("seal: secrets inside scripts, every escape form", function () {
  let pair: TestAgePair;
  let idFile: string;
  let dir: string;
  before(async () => {
    pair = await makeAgePair();
    dir = tempDir();
    idFile = path.join(dir, "identity.txt");
    writeFileSync(idFile, `${pair.identity}\n`, { mode: 0o600 });
  });
  const seal = (text: string, platform = ROUTEROS) => sealValues(text, { platform, recipients: [pair.recipient], previous: {}, indexKey: testIndexKey(), context: "t/d" });
  /** Decrypts one sealed token with the stock age CLI. */
  const ageDecrypt = (token: string, n: number): string => {
    const file = path.join(dir, `v${n}.age`);
    writeFileSync(file, Buffer.from(token.slice("age:".length), "base64url"));
    return execFileSync("age", ["-d", "-i", idFile, file]).toString("utf8");
  };

  for (const c of CASES) {
    it(`${c.title}: each value sealed in place, opened by age -d, the export restored byte for byte`, async () => {
      const text = `${c.menu}\n${c.line}\n`;
      const r = await seal(text);
      const tokens = r.text.match(TOKEN) ?? [];
      assert.equal(tokens.length, c.sealed.length, `sealed values: ${r.text}`);
      assert.equal(r.sealed, c.sealed.length);
      tokens.forEach((t, i) => assert.equal(ageDecrypt(t, i), c.sealed[i], `value ${i} holds exactly the inner text`));
      for (const s of c.readable) assert.ok(r.text.includes(s), `still readable: ${s}\nin ${r.text}`);
      for (const s of SECRETS) if (c.line.includes(s)) assert.ok(!r.text.includes(s), `${s} was sealed`);
      assert.equal(await unsealText(r.text, [pair.identity], ROUTEROS), text);
      // Stable: sealing again with the index keeps every ciphertext.
      const again = await sealValues(text, { platform: ROUTEROS, recipients: [pair.recipient], previous: r.index, indexKey: testIndexKey(), context: "t/d" });
      assert.equal(again.text, r.text);
      assert.equal(again.fresh, 0);
    });
  }

  it("all cases in one export: round trip byte-exact, one sealed line changes when one script secret changes", async () => {
    const text = CASES.map((c) => `${c.menu}\n${c.line}`).join("\n") + "\n";
    const one = await seal(text);
    assert.equal(await unsealText(one.text, [pair.identity], ROUTEROS), text);
    const changed = text.replace("W4rp3d", "W4rp3e");
    const two = await sealValues(changed, { platform: ROUTEROS, recipients: [pair.recipient], previous: one.index, indexKey: testIndexKey(), context: "t/d" });
    const a = one.text.split("\n");
    const b = two.text.split("\n");
    assert.deepEqual(
      a.map((l, i) => (l === b[i] ? "=" : "x")).join(""),
      a.map((l) => (l.includes("name=s3") ? "x" : "=")).join(""),
    );
    assert.equal(two.fresh, 1);
    assert.equal(await unsealText(two.text, [pair.identity], ROUTEROS), changed);
  });

  it("sealing whole scripts (operator policy) seals each script value as one token", async () => {
    const platform = extendPlatform(ROUTEROS, { params: [], scriptParams: [], secretWords: [], sealWholeScripts: true });
    const text = `${CASES[0]!.menu}\n${CASES[0]!.line}\n/tool netwatch\nadd host=1.1.1.1 up-script=":put up" down-script=""\n`;
    const r = await seal(text, platform);
    assert.equal(r.sealed, 2, "two non-empty script values; the empty one stays");
    assert.match(r.text, / source=age:[A-Za-z0-9_-]+\n/);
    assert.ok(r.text.includes('down-script=""'));
    assert.equal(ageDecrypt(/source=(age:[A-Za-z0-9_-]+)/.exec(r.text)![1]!, 99), CASES[0]!.line.slice(CASES[0]!.line.indexOf("source=") + "source=".length));
    assert.equal(await unsealText(r.text, [pair.identity], platform), text);
  });

  it("hostile scripts: unbalanced brackets and quotes, deep nesting, 64 KiB of brackets; round trip stays exact", async () => {
    const lines = [
      String.raw`add name=h1 source="/tool fetch password=\"x [ ( { \" ] ] } ) password=y"`,
      String.raw`add name=h2 source="${"[".repeat(20000)}/tool fetch password=deep"`,
      String.raw`add name=h3 source="${"{ ".repeat(5000)}:local pw \"z\""`,
      String.raw`add name=h4 source="password=\"unterminated`,
      String.raw`add name=h5 source=":local pw \"a\"b c"`,
    ];
    const text = `/system script\n${lines.join("\n")}\n`;
    const started = Date.now();
    const r = await seal(text);
    assert.ok(Date.now() - started < 20_000, "no stall");
    assert.equal(await unsealText(r.text, [pair.identity], ROUTEROS), text);
    for (const s of ["password=y", "password=deep", String.raw`pw \"z\"`]) assert.ok(!r.text.includes(s), `${s} sealed`);
  });
});
