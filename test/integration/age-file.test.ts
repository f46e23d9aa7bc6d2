import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { bech32 } from "@scure/base";
import { Decrypter } from "age-encryption";
import { encryptAgeFile, x25519Recipient } from "../../src/seal/age-file.js";
import { makeAgePair } from "../helpers/age.js";
import { tempDir } from "../helpers/tmp.js";

const hasAge = spawnSync("age", ["--version"], { stdio: "ignore" }).status === 0;
const recipientOf = (r: string) => x25519Recipient(bech32.decodeToBytes(r).bytes);

/** The age files sealing writes with Node's native crypto, read back by the stock `age` CLI and by the age-encryption library. */
describe("seal: age files made with native crypto", function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    if (!hasAge) {
      console.warn("\n  !!! `age` is not on PATH: SKIPPING the age file interoperability tests (CI installs it) !!!\n");
      this.skip();
    }
    dir = tempDir();
  });

  const ageDecrypt = (identity: string, file: Buffer): Buffer => {
    const id = path.join(dir, `id-${randomBytes(4).toString("hex")}.txt`);
    writeFileSync(id, `${identity}\n`, { mode: 0o600 });
    const f = path.join(dir, `v-${randomBytes(4).toString("hex")}.age`);
    writeFileSync(f, file);
    return execFileSync("age", ["-d", "-i", id, f]);
  };

  for (const [name, plaintext] of [
    ["a short value", Buffer.from('"s3cr\\"et with spaces"')],
    ["an empty value", Buffer.alloc(0)],
    ["exactly one 64 KiB chunk", randomBytes(64 * 1024)],
    ["three chunks", randomBytes(150_000)],
  ] as const) {
    it(`${name}: the age CLI and the library both give back the exact bytes`, async () => {
      const pair = await makeAgePair();
      const file = encryptAgeFile(plaintext, [recipientOf(pair.recipient)]);
      assert.ok(ageDecrypt(pair.identity, file).equals(plaintext));
      const d = new Decrypter();
      d.addIdentity(pair.identity);
      assert.ok(Buffer.from(await d.decrypt(file)).equals(plaintext));
    });
  }

  it("every recipient can decrypt; a fresh file key and ephemeral key each time; a changed byte is refused", async () => {
    const [a, b, other] = await Promise.all([makeAgePair(), makeAgePair(), makeAgePair()]);
    const value = Buffer.from("pre-shared-key-123");
    const one = encryptAgeFile(value, [recipientOf(a.recipient), recipientOf(b.recipient)]);
    const two = encryptAgeFile(value, [recipientOf(a.recipient), recipientOf(b.recipient)]);
    assert.ok(ageDecrypt(a.identity, one).equals(value));
    assert.ok(ageDecrypt(b.identity, one).equals(value));
    assert.notDeepEqual(one, two, "never the same ciphertext twice");
    const shares = (f: Buffer) => f.toString("latin1").match(/^-> X25519 (\S+)$/gm)!;
    assert.equal(new Set([...shares(one), ...shares(two)]).size, 4, "an ephemeral key per recipient and file");
    assert.throws(() => ageDecrypt(other.identity, one));
    const tampered = Buffer.from(one);
    tampered[tampered.length - 3]! ^= 1;
    assert.throws(() => ageDecrypt(a.identity, tampered));
  });
});
