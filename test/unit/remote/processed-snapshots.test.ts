import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ProcessedSnapshots } from "../../../src/remote/index.js";
import { tempDir } from "../../helpers/tmp.js";

describe("remote: ProcessedSnapshots (redelivery is harmless)", () => {
  it("remembers processed jobs and the newest job per device across a restart", async () => {
    const dir = tempDir();
    const a = new ProcessedSnapshots(dir);
    await a.add("acme", "job-1", 100, "r1");
    await a.add("acme", "job-2", 300, "r1");
    await a.add("acme", "job-3", 200, "r2");
    const b = new ProcessedSnapshots(dir); // a restarted core
    assert.equal(await b.has("acme", "job-2"), true);
    assert.equal(await b.has("acme", "job-9"), false);
    assert.equal(await b.has("other", "job-2"), false, "per tenant");
    assert.equal(await b.newestFor("acme", "r1"), 300);
    assert.equal(await b.newestFor("acme", "r2"), 200);
    assert.equal(await b.newestFor("acme", "r3"), 0);
  });

  it("stays bounded: past twice the limit it keeps the newest entries", async () => {
    const dir = tempDir();
    const p = new ProcessedSnapshots(dir, 10);
    for (let i = 0; i < 25; i++) await p.add("acme", `job-${i}`, i, "r1");
    const lines = readFileSync(path.join(dir, "remote/processed/acme.log"), "utf8").trim().split("\n");
    assert.ok(lines.length <= 20, `${lines.length} lines`);
    const q = new ProcessedSnapshots(dir, 10);
    assert.equal(await q.has("acme", "job-24"), true);
    assert.equal(await q.has("acme", "job-0"), false);
  });

  it("ignores a torn last line (a crash mid-append)", async () => {
    const dir = tempDir();
    const p = new ProcessedSnapshots(dir);
    await p.add("acme", "job-1", 1, "r1");
    const { appendFileSync } = await import("node:fs");
    appendFileSync(path.join(dir, "remote/processed/acme.log"), "job-2 12");
    const q = new ProcessedSnapshots(dir);
    assert.equal(await q.has("acme", "job-1"), true);
    assert.equal(await q.has("acme", "job-2"), false);
  });
});

describe("remote: ProcessedSnapshots.begin", () => {
  it("a begun job counts as the device's newest after a restart, but is not done", async () => {
    const dir = tempDir();
    const p = new ProcessedSnapshots(dir);
    await p.add("acme", "job-1", 100, "r1");
    await p.begin("acme", "job-2", 200, "r1"); // then the core dies before its add
    const q = new ProcessedSnapshots(dir);
    assert.equal(await q.newestFor("acme", "r1"), 200);
    assert.equal(await q.has("acme", "job-2"), false, "its redelivery is archived again (unchanged: no commit)");
  });
});
