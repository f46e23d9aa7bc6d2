import assert from "node:assert/strict";
import { RosarchiveError } from "../../../src/common/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { extendPlatform, sealValues, unsealText } from "../../../src/seal/index.js";
import { makeAgePair, testIndexKey, type TestAgePair } from "../../helpers/age.js";

describe("seal: unsealText", () => {
  let pair: TestAgePair;
  let sealedText: string;
  const plain = '/ppp secret\nadd name=u1 password="a b\\"c \\E2\\80\\99"\n/interface wireguard\nset [ find name=wg ] private-key=k3y\n';

  before(async () => {
    pair = await makeAgePair();
    sealedText = (await sealValues(plain, { platform: ROUTEROS, recipients: [pair.recipient], previous: {}, indexKey: testIndexKey(), context: "t/d" })).text;
  });

  it("restores escapes and quotes byte for byte", async () => {
    assert.equal(await unsealText(sealedText, [pair.identity], ROUTEROS), plain);
  });

  it("also unseals a CRLF copy of an archived file", async () => {
    assert.equal(await unsealText(sealedText.replace(/\n/g, "\r\n"), [pair.identity], ROUTEROS), plain.replace(/\n/g, "\r\n"));
  });

  it("returns text without sealed values unchanged, identities or not", async () => {
    const text = "/ip address\nadd address=10.0.0.1/24 comment=age:short interface=ether1\n";
    assert.equal(await unsealText(text, [], ROUTEROS), text);
  });

  it("leaves `=age:` inside quoted values and after a second `=` alone", async () => {
    const token = /password=(age:[A-Za-z0-9_-]+)/.exec(sealedText)![1]!;
    const text = `/x\nadd comment="copy =${token} here" note=a=${token}\n`;
    assert.equal(await unsealText(text, [pair.identity], ROUTEROS), text);
  });

  it("fails clearly when no identity matches, without printing any secret", async () => {
    const other = await makeAgePair();
    await assert.rejects(
      () => unsealText(sealedText, [other.identity], ROUTEROS),
      (err: unknown) =>
        err instanceof RosarchiveError && err.code === "no_identity" && /line 2/.test(err.message) && !err.message.includes("k3y") && !err.message.includes(other.identity),
    );
  });

  it("refuses a malformed identity without echoing it", async () => {
    await assert.rejects(
      () => unsealText(sealedText, ["AGE-SECRET-KEY-1BROKEN"], ROUTEROS),
      (err: unknown) => err instanceof RosarchiveError && err.code === "bad_parameter" && !err.message.includes("BROKEN"),
    );
  });

  it("reports a corrupt sealed value", async () => {
    const m = /private-key=age:([A-Za-z0-9_-]+)/.exec(sealedText)!;
    const bytes = Buffer.from(m[1]!, "base64url");
    bytes[bytes.length - 1]! ^= 1;
    const broken = sealedText.replace(m[1]!, bytes.toString("base64url"));
    await assert.rejects(() => unsealText(broken, [pair.identity], ROUTEROS), (err: unknown) => err instanceof RosarchiveError && err.code === "error");
  });
});

describe("seal: unsealText opens only positions the sealer seals", () => {
  let pair: TestAgePair;
  /** A genuine sealed token, which this test's identity can open. */
  let token: string;
  const seal = (text: string) => sealValues(text, { platform: ROUTEROS, recipients: [pair.recipient], previous: {}, indexKey: testIndexKey(), context: "t/d" });

  before(async () => {
    pair = await makeAgePair();
    token = /password=(age:[A-Za-z0-9_-]+)/.exec((await seal("/ppp secret\nadd name=a password=cnry-copied-secret\n")).text)![1]!;
  });

  it("a sealed value pasted into a harmless parameter comes back as literal text, even for the identity that could open it", async () => {
    const text = `/system identity\nset name=${token}\n/ip address\nadd address=10.0.0.1/24 comment=${token} interface=ether1\n/system note\nset note="see ${token}"\n`;
    const out = await unsealText(text, [pair.identity], ROUTEROS);
    assert.equal(out, text);
    assert.ok(!out.includes("cnry-copied-secret"));
  });

  it("the same paste, archived: sealing wraps it once more, and decrypt restores the device's text (not the plaintext)", async () => {
    const device = `/system identity\nset name=${token}\n/ppp secret\nadd name=b password=${token}\n/system script\nadd name=s source=":local note ${token}; :put \\"${token}\\""\n`;
    const sealed = await seal(device);
    assert.equal(sealed.sealed, 2, "the catalogued password and the script variable: age: text at sealable positions is sealed again");
    const out = await unsealText(sealed.text, [pair.identity], ROUTEROS);
    assert.equal(out, device, "byte for byte what the device printed");
    assert.ok(!out.includes("cnry-copied-secret"));
  });

  it("inside scripts, age: text where nothing is sealed stays literal", async () => {
    const text = `/system script\nadd name=s source=":put ${token}; /system identity set name=${token}"\n`;
    assert.equal(await unsealText(text, [pair.identity], ROUTEROS), text);
  });

  it("an operator's catalog extension opens its positions only when decrypt is given it", async () => {
    const platform = extendPlatform(ROUTEROS, { params: [{ name: "api-key", menus: ["/tool custom"], reason: "test" }], scriptParams: [], secretWords: [], sealWholeScripts: false });
    const text = "/tool custom\nadd api-key=cnry-ext-key name=x\n";
    const r = await sealValues(text, { platform, recipients: [pair.recipient], previous: {}, indexKey: testIndexKey(), context: "t/d" });
    assert.ok(!r.text.includes("cnry-ext-key"));
    assert.equal(await unsealText(r.text, [pair.identity], platform), text);
    assert.equal(await unsealText(r.text, [pair.identity], ROUTEROS), r.text, "without the extension the position is not a sealed one: the text stays as archived");
  });
});
