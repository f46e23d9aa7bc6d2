import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, appendFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AuditLog, AUDIT_GENESIS, canonicalEntry, entryHash } from "../../src/store/index.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";

const entry = (i: number) => ({ actor: "noc", role: "viewer", ip: "127.0.0.1", action: "config.read" as const, device: `dev-${i}`, details: { commit: "a".repeat(40), n: i } });
const linesOf = (file: string) => readFileSync(file, "utf8").trim().split("\n");

/** A log line as the chain writes it (computed here from the documented canonical form, not by the code under test). */
function line(prev: string, i: number): { text: string; hash: string } {
  const base = { time: "2025-01-01T00:00:00.000Z", ...entry(i), prev };
  const hash = entryHash(base);
  return { text: `${canonicalEntry(base).slice(0, -1)},"hash":"${hash}"}`, hash };
}

describe("audit log: hash-chained JSONL per tenant, in segments", function () {
  this.timeout(60_000);

  it("chains concurrent appends in order and verifies", async () => {
    const dir = tempDir();
    const log = new AuditLog(dir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append("acme", entry(i))));
    const lines = linesOf(log.segment("acme", 1)).map((l) => JSON.parse(l));
    assert.equal(lines.length, 50);
    assert.equal(lines[0].prev, AUDIT_GENESIS);
    for (let i = 1; i < lines.length; i++) assert.equal(lines[i].prev, lines[i - 1].hash);
    assert.deepEqual(lines.map((l) => l.device), Array.from({ length: 50 }, (_, i) => `dev-${i}`));
    assert.deepEqual(Object.keys(lines[0]), ["time", "actor", "role", "ip", "action", "device", "details", "prev", "hash"]);
    assert.equal(lines[3].hash, entryHash(lines[3]));
    assert.deepEqual(await log.verify("acme"), { ok: true, entries: 50, segments: 1, from: 1 });
  });

  it("group commit: a burst of 500 appends is written in a few batches (one write and fsync each), not 500", async () => {
    const batches: number[] = [];
    const log = new AuditLog(tempDir(), { onBatch: (_t, n) => batches.push(n) });
    await Promise.all(Array.from({ length: 500 }, (_, i) => log.append("acme", entry(i))));
    assert.equal(batches.reduce((a, b) => a + b, 0), 500);
    assert.ok(batches.length <= 5, `batches: ${JSON.stringify(batches)}`);
    // Appends arriving while a batch is on its way to disk form the next batch.
    const more = Array.from({ length: 100 }, (_, i) => log.append("acme", entry(500 + i)));
    await new Promise((r) => setImmediate(r));
    more.push(...Array.from({ length: 100 }, (_, i) => log.append("acme", entry(600 + i))));
    await Promise.all(more);
    assert.ok(batches.length <= 8, `batches: ${JSON.stringify(batches)}`);
    assert.equal((await log.verify("acme")).entries, 700);
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
    assert.deepEqual(await new AuditLog(dir).verify("acme"), { ok: true, entries: 2, segments: 1, from: 1 });
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
      const lines = linesOf(log.segment("acme", 1));
      tamper(lines);
      writeFileSync(log.segment("acme", 1), `${lines.join("\n")}\n`);
      const v = await new AuditLog(dir).verify("acme");
      assert.equal(v.ok, false);
      assert.deepEqual(v.brokenAt, { segment: "000001.jsonl", line: brokenAt });
    });
  }

  describe("segments", () => {
    /** 40 entries in segments of about 1 KB: several files. */
    async function segmented(): Promise<{ dir: string; log: AuditLog; files: string[] }> {
      const dir = tempDir();
      const log = new AuditLog(dir, { segmentBytes: 1000 });
      for (let i = 0; i < 40; i++) await log.append("acme", entry(i));
      const files = readdirSync(log.dir("acme")).filter((f) => f.endsWith(".jsonl")).sort();
      return { dir, log, files };
    }

    it("rotates past the segment size and carries the chain across files", async () => {
      const { log, files } = await segmented();
      assert.ok(files.length >= 4, `segments: ${files}`);
      assert.equal(files[0], "000001.jsonl");
      for (let k = 1; k < files.length; k++) {
        const lastOfPrevious = JSON.parse(linesOf(path.join(log.dir("acme"), files[k - 1]!)).at(-1)!);
        const firstOfThis = JSON.parse(linesOf(path.join(log.dir("acme"), files[k]!))[0]!);
        assert.equal(firstOfThis.prev, lastOfPrevious.hash, `${files[k]} continues ${files[k - 1]}`);
      }
      for (const f of files.slice(0, -1)) assert.ok(statSync(path.join(log.dir("acme"), f)).size < 1000 + 400, `${f} stays near the segment size`);
      const v = await log.verify("acme");
      assert.deepEqual(v, { ok: true, entries: 40, segments: files.length, from: 1 });
      // Listing crosses segment boundaries, newest first.
      assert.deepEqual((await log.list("acme", 25)).map((e) => e.device), Array.from({ length: 25 }, (_, i) => `dev-${39 - i}`));
    });

    it("verify detects an edit in an old segment", async () => {
      const { dir, log, files } = await segmented();
      const old = path.join(log.dir("acme"), files[0]!);
      const lines = linesOf(old);
      lines[1] = lines[1]!.replace('"dev-1"', '"dev-7"');
      writeFileSync(old, `${lines.join("\n")}\n`);
      const v = await new AuditLog(dir).verify("acme");
      assert.equal(v.ok, false);
      assert.deepEqual(v.brokenAt, { segment: "000001.jsonl", line: 2 });
    });

    it("verify detects a removed segment, in the middle or at the start; --from checks what is kept after archiving old ones", async () => {
      const { dir, log, files } = await segmented();
      const middle = path.join(log.dir("acme"), files[1]!);
      const saved = readFileSync(middle);
      const { unlinkSync } = await import("node:fs");
      unlinkSync(middle);
      let v = await new AuditLog(dir).verify("acme");
      assert.equal(v.ok, false);
      assert.equal(v.brokenAt!.segment, files[1]);
      assert.match(v.reason!, /missing/);
      writeFileSync(middle, saved);

      unlinkSync(path.join(log.dir("acme"), files[0]!));
      v = await new AuditLog(dir).verify("acme");
      assert.equal(v.ok, false, "the chain no longer starts at its beginning");
      assert.equal(v.brokenAt!.segment, "000001.jsonl");
      v = await new AuditLog(dir).verify("acme", { from: 2 });
      assert.equal(v.ok, true);
      assert.equal(v.from, 2);
      assert.equal(v.segments, files.length - 1);
    });

    it("moves a single-file log of an earlier version into segment 1 and continues its chain", async () => {
      const dir = tempDir();
      mkdirSync(path.join(dir, "audit"), { recursive: true });
      const a = line(AUDIT_GENESIS, 0);
      const b = line(a.hash, 1);
      writeFileSync(path.join(dir, "audit/acme.jsonl"), `${a.text}\n${b.text}\n`);
      const log = new AuditLog(dir);
      assert.deepEqual((await log.list("acme", 10)).map((e) => e.device), ["dev-1", "dev-0"]);
      const e = await log.append("acme", entry(2));
      assert.equal(e.prev, b.hash);
      assert.equal(existsSync(path.join(dir, "audit/acme.jsonl")), false);
      assert.deepEqual(linesOf(log.segment("acme", 1)).slice(0, 2), [a.text, b.text]);
      assert.deepEqual(await log.verify("acme"), { ok: true, entries: 3, segments: 1, from: 1 });
    });

    it("a torn last line (crash mid-write) is reported by verify and cut off by the next append", async () => {
      const dir = tempDir();
      const log = new AuditLog(dir);
      for (let i = 0; i < 3; i++) await log.append("acme", entry(i));
      appendFileSync(log.segment("acme", 1), '{"time":"2025-01-01T00:00:00.000Z","act');
      let v = await new AuditLog(dir).verify("acme");
      assert.equal(v.ok, false);
      assert.deepEqual(v.brokenAt, { segment: "000001.jsonl", line: 4 });
      const notices: string[] = [];
      await new AuditLog(dir, { onNotice: (e) => notices.push(e) }).append("acme", entry(3));
      assert.deepEqual(notices, ["audit.torn_line_removed"]);
      v = await new AuditLog(dir).verify("acme");
      assert.deepEqual(v, { ok: true, entries: 4, segments: 1, from: 1 });
    });

    it("a 600 MB log: the tail is read, never the whole file; listing and appending stay quick", async () => {
      const dir = tempDir();
      mkdirSync(path.join(dir, "audit"), { recursive: true });
      const file = path.join(dir, "audit/acme.jsonl");
      // A sparse 600 MB file (past V8's string limit when read whole), ending in real entries.
      writeFileSync(file, "");
      truncateSync(file, 600 * 1024 * 1024);
      const a = line(AUDIT_GENESIS, 0);
      const b = line(a.hash, 1);
      appendFileSync(file, `\n${a.text}\n${b.text}\n`);
      const rssBefore = process.memoryUsage().rss;
      const log = new AuditLog(dir);
      const started = Date.now();
      assert.deepEqual((await log.list("acme", 100)).map((e) => e.device), ["dev-1", "dev-0"]);
      const e = await log.append("acme", entry(2));
      assert.equal(e.prev, b.hash);
      assert.deepEqual((await log.list("acme", 2)).map((x) => x.device), ["dev-2", "dev-1"]);
      assert.ok(Date.now() - started < 20_000, "bounded work");
      assert.ok(process.memoryUsage().rss - rssBefore < 200 * 1024 * 1024, "memory bounded");
      // The big file became segment 1 and, being past the segment size, the next entry opened segment 2.
      assert.ok(existsSync(log.segment("acme", 2)));
    });
  });

  it("two processes appending at once extend one chain (a CLI command beside a running serve)", async () => {
    const dir = tempDir();
    const script = `
      import { AuditLog } from ${JSON.stringify(path.join(REPO_ROOT, "dist/src/store/index.js"))};
      const log = new AuditLog(process.argv[1]);
      const all = [];
      for (let i = 0; i < 200; i++) { all.push(log.append("acme", { actor: "cli", role: "admin", ip: null, action: "device.unblocked", device: "d" + i, details: {} })); if (i % 20 === 0) await new Promise((r) => setTimeout(r, 2)); }
      await Promise.all(all);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script, dir], { stdio: ["ignore", "inherit", "inherit"] });
    const exited = new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
    const log = new AuditLog(dir);
    const mine: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      mine.push(log.append("acme", entry(i)));
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(mine);
    assert.equal(await exited, 0);
    assert.deepEqual(await new AuditLog(dir).verify("acme"), { ok: true, entries: 400, segments: 1, from: 1 });
    // And this process's writer notices the other's lines before its next append.
    const next = await log.append("acme", entry(999));
    assert.equal(next.prev, JSON.parse(linesOf(log.segment("acme", 1)).at(-2)!).hash);
    assert.equal((await new AuditLog(dir).verify("acme")).ok, true);
  });
});
