import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { ROUTEROS } from "../../src/routeros/index.js";
import { sealValues } from "../../src/seal/index.js";
import { makeAgePair, testIndexKey } from "../helpers/age.js";
import { tempDir } from "../helpers/tmp.js";

const hasAge = spawnSync("age", ["--version"], { stdio: "ignore" }).status === 0;

describe("integration: stock age CLI decrypts a sealed value", function () {
  before(function () {
    if (!hasAge) {
      console.warn("\n  !!! `age` is not on PATH: SKIPPING the age CLI interoperability test (CI installs it) !!!\n");
      this.skip();
    }
  });

  it("age -d -i IDENTITY_FILE gives back the exact original token", async () => {
    const dir = tempDir();
    const pair = await makeAgePair();
    const idFile = path.join(dir, "identity.txt");
    writeFileSync(idFile, `# test identity\n${pair.identity}\n`, { mode: 0o600 });
    const raw = '"s3cr\\"et \\E2\\80\\99 with spaces"';
    const text = `/ppp secret\nadd name=u1 password=${raw} service=pppoe\n`;
    const { text: sealed } = await sealValues(text, { platform: ROUTEROS, recipients: [pair.recipient], previous: {}, indexKey: testIndexKey(), context: "t/d" });
    const token = /password=age:([A-Za-z0-9_-]+)/.exec(sealed)![1]!;
    const ageFile = path.join(dir, "value.age");
    writeFileSync(ageFile, Buffer.from(token, "base64url"));
    const out = execFileSync("age", ["-d", "-i", idFile, ageFile]);
    assert.equal(out.toString("utf8"), raw);
  });
});
