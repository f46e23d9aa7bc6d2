import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { RosarchiveError } from "../../../src/common/index.js";
import { normalize } from "../../../src/normalize/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { isSensitive, sealValues, unsealText, type SecretIndex } from "../../../src/seal/index.js";
import { makeAgePair, testIndexKey, type TestAgePair } from "../../helpers/age.js";
import { FIXTURES } from "../../helpers/tmp.js";

const RAW_FIXTURES = readdirSync(FIXTURES).filter((f) => f.endsWith(".rsc") && !f.endsWith(".normalized.rsc")).sort();

/** The non-empty sensitive value tokens of a text, as the sealer should find them. */
function sensitiveValues(text: string): string[] {
  const out: string[] = [];
  let menu: string | null = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    if (line.startsWith("/")) menu = ROUTEROS.sectionOf(line);
    for (const t of ROUTEROS.valueTokens(line)) {
      if (t.raw !== "" && t.raw !== '""' && isSensitive(menu, t.name, ROUTEROS.sensitiveParams)) out.push(t.raw);
    }
  }
  return out;
}

/** The text with every sensitive value removed: what may legitimately still contain a short secret. */
function withoutSecrets(text: string): string {
  let menu: string | null = null;
  return text
    .split("\n")
    .map((line) => {
      if (line.startsWith("#")) return line;
      if (line.startsWith("/")) menu = ROUTEROS.sectionOf(line);
      let out = "";
      let pos = 0;
      for (const t of ROUTEROS.valueTokens(line)) {
        if (!isSensitive(menu, t.name, ROUTEROS.sensitiveParams)) continue;
        out += line.slice(pos, t.start);
        pos = t.end;
      }
      return out + line.slice(pos);
    })
    .join("\n");
}

const unquote = (raw: string) => (raw.startsWith('"') ? raw.slice(1, -1) : raw);
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

describe("seal: sealValues / unsealText", function () {
  let pair: TestAgePair;
  const indexKey = testIndexKey();
  const seal = (text: string, previous: SecretIndex = {}, extra: { context?: string; recipients?: string[] } = {}) =>
    sealValues(text, {
      platform: ROUTEROS,
      recipients: extra.recipients ?? [pair.recipient],
      previous,
      indexKey,
      context: extra.context ?? "acme/core-1",
    });

  before(async () => {
    pair = await makeAgePair();
  });

  describe("on every fixture", () => {
    for (const file of RAW_FIXTURES) {
      it(`${file}: round trip is exact, stable, and leaks no secret`, async () => {
        const text = normalize(readFileSync(path.join(FIXTURES, file), "utf8"), ROUTEROS);
        const first = await seal(text);
        const secrets = sensitiveValues(text);
        assert.equal(first.sealed, secrets.length);
        assert.equal(await unsealText(first.text, [pair.identity], ROUTEROS), text);

        const again = await seal(text, first.index);
        assert.equal(again.text, first.text, "an unchanged export seals to the same bytes");
        assert.deepEqual(again.index, first.index);

        const elsewhere = withoutSecrets(text);
        const indexJson = JSON.stringify(first.index);
        for (const raw of secrets) {
          for (const v of new Set([raw, unquote(raw)])) {
            if (v.length < 4 || elsewhere.includes(v)) continue;
            assert.ok(!first.text.includes(v), `${file}: a secret is visible in the sealed text`);
            assert.ok(!indexJson.includes(v), `${file}: a secret is visible in the index`);
            assert.ok(!indexJson.includes(sha256(v)), `${file}: an unkeyed hash of a secret is in the index`);
          }
        }
      });
    }
  });

  it("seals known fixture secrets and keeps public keys readable", async () => {
    const cases: Array<[string, string[], string[]]> = [
      ["v6.48.4-rb952-wifi.rsc", ["emran6267"], []],
      ["v6.46.6-rb2011-capsman.rsc", ["123qweASD1"], []],
      [
        "v7.17.2-chr-verbose-sensitive.rsc",
        ["yGQ3FH40WUmzvhHvXI3h/1VaVCRaswXXhOtRQTjymUg=", "YIUdi2PYyH26RWuRZEx07+KVtdWbjpMfqSdkJJ4I410="],
        ["public-key=\"BqukFThRjwoGSaO8vQMrGuFtxTXU"],
      ],
      ["v7-noheader-router.rsc", [], ['public-key="Z2JamOjZYOGaf4tPZzchyHjLw/XlOtUtQObyROEQ9DM="']],
    ];
    for (const [file, hidden, visible] of cases) {
      const text = normalize(readFileSync(path.join(FIXTURES, file), "utf8"), ROUTEROS);
      const { text: sealed } = await seal(text);
      for (const h of hidden) {
        assert.ok(text.includes(h), `${file} fixture holds the secret`);
        assert.ok(!sealed.includes(h), `${file}: secret still visible`);
      }
      for (const v of visible) assert.ok(sealed.includes(v), `${file}: ${v} should stay readable`);
    }
  });

  it("replaces the whole token, quotes included, with age:<base64url>", async () => {
    const text = '/interface wireguard\nadd listen-port=13231 name=wg private-key="yGQ3FH40WUmzvhHvXI3h/1VaVCRaswXXhOtRQTjymUg="\n';
    const { text: sealed, sealed: n } = await seal(text);
    assert.equal(n, 1);
    assert.match(sealed, /^\/interface wireguard\nadd listen-port=13231 name=wg private-key=age:[A-Za-z0-9_-]+\n$/);
  });

  it("leaves empty values, comments and non-secrets untouched", async () => {
    const text = [
      "# password=notsealed",
      "/snmp community",
      'set [ find default=yes ] authentication-password="" encryption-password="" addresses=::/0',
      "/ip ssh",
      "set always-allow-password-login=no host-key-size=2048",
      "/user",
      "add group=full name=a policy=read,write,password",
      "/tool e-mail",
      "set password= port=25",
      "",
    ].join("\n");
    const r = await seal(text);
    // `name` is only sealed under /snmp community, and the default entry prints none here.
    assert.equal(r.sealed, 0);
    assert.equal(r.text, text);
    assert.deepEqual(r.index, {});
  });

  it("seals dotted wifi shorthand (`.passphrase` after `security.`)", async () => {
    const text = '/interface wifi\nset [ find default-name=wifi1 ] configuration.ssid=home disabled=no security.authentication-types=wpa2-psk .passphrase="p4ss word" .ft=yes\n';
    const r = await seal(text);
    assert.equal(r.sealed, 1);
    assert.ok(!r.text.includes("p4ss"));
    assert.match(r.text, / \.passphrase=age:[A-Za-z0-9_-]+ \.ft=yes\n$/);
    assert.equal(await unsealText(r.text, [pair.identity], ROUTEROS), text);
  });

  it("seals a command written on its menu line, and a sensitive value inside a find selector", async () => {
    const text = "/ppp secret add name=a password=b1b2b3\n/snmp community\nset [ find name=c0mmunity ] addresses=10.0.0.0/8\n/interface bridge\nset [ find name=br0 ] mtu=1500\n";
    const r = await seal(text);
    assert.equal(r.sealed, 2);
    assert.ok(!r.text.includes("b1b2b3") && !r.text.includes("c0mmunity"));
    assert.ok(r.text.includes("set [ find name=br0 ] mtu=1500"), "`name` is sealed only under /snmp community");
    assert.equal(await unsealText(r.text, [pair.identity], ROUTEROS), text);
  });

  it("a changed secret changes only its own line, and only its own token", async () => {
    const base = [
      "/interface wireless security-profiles",
      "add authentication-types=wpa-psk,wpa2-psk mode=dynamic-keys name=a wpa-pre-shared-key=first1234 wpa2-pre-shared-key=second1234",
      "/ppp secret",
      "add name=u1 password=pw-one",
      "add name=u2 password=pw-two",
      "",
    ].join("\n");
    const one = await seal(base);
    const changed = base.replace("wpa-pre-shared-key=first1234", "wpa-pre-shared-key=first5678");
    const two = await seal(changed, one.index);
    const a = one.text.split("\n");
    const b = two.text.split("\n");
    assert.deepEqual(
      a.map((l, i) => l === b[i]),
      [true, false, true, true, true, true],
    );
    const tok = (line: string, name: string) => ROUTEROS.valueTokens(line).find((t) => t.name === name)!.raw;
    assert.equal(tok(b[1]!, "wpa2-pre-shared-key"), tok(a[1]!, "wpa2-pre-shared-key"));
    assert.notEqual(tok(b[1]!, "wpa-pre-shared-key"), tok(a[1]!, "wpa-pre-shared-key"));
    assert.equal(await unsealText(two.text, [pair.identity], ROUTEROS), changed);
  });

  it("keeps only the index entries the text uses", async () => {
    const text = "/ppp secret\nadd name=u1 password=pw-one\nadd name=u2 password=pw-two\n";
    const one = await seal(text);
    assert.equal(Object.keys(one.index).length, 2);
    const two = await seal("/ppp secret\nadd name=u1 password=pw-one\n", one.index);
    assert.equal(Object.keys(two.index).length, 1);
    const [k] = Object.keys(two.index);
    assert.equal(two.index[k!], one.index[k!]);
  });

  it("identical lines share a ciphertext even on the first seal, so the second seal is identical", async () => {
    const text = "/ppp secret\nadd password=same\nadd password=same\n";
    const one = await seal(text);
    const [l1, l2] = one.text.split("\n").slice(1);
    assert.equal(l1, l2);
    assert.equal((await seal(text, one.index)).text, one.text);
  });

  it("does not reuse ciphertext across contexts or recipient sets", async () => {
    const text = "/radius\nadd address=10.0.0.1 secret=radius-secret service=ppp\n";
    const one = await seal(text);
    const other = await seal(text, one.index, { context: "acme/core-2" });
    assert.notEqual(other.text, one.text);
    assert.deepEqual(Object.keys(other.index).filter((k) => k in one.index), []);
    const extra = await makeAgePair();
    const rotated = await seal(text, one.index, { recipients: [pair.recipient, extra.recipient] });
    assert.notEqual(rotated.text, one.text);
    assert.equal(await unsealText(rotated.text, [extra.identity], ROUTEROS), text);
  });

  it("seals a value that already starts with age:, and unseals exactly one layer", async () => {
    const inner = await seal("/ppp secret\nadd password=x1\n");
    const text = inner.text; // `password=age:...` as if a device printed it
    const outer = await seal(text);
    assert.notEqual(outer.text, text);
    assert.equal(await unsealText(outer.text, [pair.identity], ROUTEROS), text);
  });

  it("refuses a bad recipient with bad_parameter naming it", async () => {
    await assert.rejects(
      () => seal("/ppp secret\nadd password=x\n", {}, { recipients: [pair.recipient, "age1notarecipient"] }),
      (err: unknown) => err instanceof RosarchiveError && err.code === "bad_parameter" && err.message.includes("age1notarecipient"),
    );
    await assert.rejects(
      () => seal("/ppp secret\n", {}, { recipients: [] }),
      (err: unknown) => err instanceof RosarchiveError && err.code === "bad_parameter",
    );
  });

  it("ignores a corrupt previous entry and seals anew", async () => {
    const text = "/ppp secret\nadd password=abc123\n";
    const one = await seal(text);
    const bad = Object.fromEntries(Object.keys(one.index).map((k) => [k, "not-a-token"]));
    const two = await seal(text, bad);
    assert.match(two.text, /password=age:/);
    assert.equal(await unsealText(two.text, [pair.identity], ROUTEROS), text);
  });
});
