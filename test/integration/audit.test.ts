import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { AuditLog, AUDIT_GENESIS, entryHash } from "../../src/store/index.js";
import { tempDir } from "../helpers/tmp.js";

const entry = (i: number) => ({ actor: "noc", role: "viewer", ip: "127.0.0.1", action: "config.read" as const, device: `dev-${i}`, details: { commit: "a".repeat(40), n: i } });

describe("audit log (SPEC §11): hash-chained JSONL per tenant", () => {
  it("chains concurrent appends in order and verifies", async () => {
    const dir = tempDir();
    const log = new AuditLog(dir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append("acme", entry(i))));
    const lines = readFileSync(log.file("acme"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 50);
    assert.equal(lines[0].prev, AUDIT_GENESIS);
    for (let i = 1; i < lines.length; i++) assert.equal(lines[i].prev, lines[i - 1].hash);
    assert.deepEqual(lines.map((l) => l.device), Array.from({ length: 50 }, (_, i) => `dev-${i}`));
    assert.deepEqual(Object.keys(lines[0]), ["time", "actor", "role", "ip", "action", "device", "details", "prev", "hash"]);
    assert.equal(lines[3].hash, entryHash(lines[3]));
    assert.deepEqual(await log.verify("acme"), { ok: true, entries: 50 });
  });

  it("lists newest first, up to the limit", async () => {
    const log = new AuditLog(tempDir());
    for (let i = 0; i < 5; i++) await log.append("acme", entry(i));
    assert.deepEqual((await log.list("acme", 3)).map((e) => e.device), ["dev-4", "dev-3", "dev-2"]);
    assert.deepEqual(await log.list("nobody", 3), []);
  });

  it("continues the chain after a restart", async () => {
    const dir = tempDir();
    await new AuditLog(dir).append("acme", entry(1));
    await new AuditLog(dir).append("acme", entry(2));
    assert.deepEqual(await new AuditLog(dir).verify("acme"), { ok: true, entries: 2 });
  });

  it("keeps tenants apart", async () => {
    const log = new AuditLog(tempDir());
    await log.append("acme", entry(1));
    await log.append("other", entry(2));
    assert.deepEqual((await log.list("acme", 10)).map((e) => e.device), ["dev-1"]);
    assert.equal((await log.list("other", 10))[0]!.prev, AUDIT_GENESIS);
  });

  for (const [name, tamper, brokenAt] of [
    ["an edited field", (ls: string[]) => (ls[2] = ls[2]!.replace('"dev-2"', '"dev-9"')), 3],
    ["an edited detail", (ls: string[]) => (ls[1] = ls[1]!.replace('"n":1', '"n":7')), 2],
    ["a removed line", (ls: string[]) => ls.splice(1, 1), 2],
    ["swapped lines", (ls: string[]) => ([ls[1], ls[2]] = [ls[2]!, ls[1]!]), 2],
    ["a garbage line", (ls: string[]) => (ls[3] = "{not json"), 4],
  ] as const) {
    it(`verify detects ${name}`, async () => {
      const dir = tempDir();
      const log = new AuditLog(dir);
      for (let i = 0; i < 5; i++) await log.append("acme", entry(i));
      const lines = readFileSync(log.file("acme"), "utf8").trim().split("\n");
      tamper(lines);
      writeFileSync(log.file("acme"), `${lines.join("\n")}\n`);
      const v = await new AuditLog(dir).verify("acme");
      assert.equal(v.ok, false);
      assert.equal(v.brokenAt, brokenAt);
    });
  }
});
