import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { GitPipe } from "../../src/archive/git.js";
import { ObjectReader, parseBatchObject } from "../../src/archive/object-reader.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * Objects come out of one long-lived `git cat-file --batch` in 64 KiB
 * chunks. An export at the size cap (64 MiB) is a thousand of them: they
 * must be joined once, not once per chunk (which took 25 s for two such
 * reads and held the event loop for every copy).
 */
describe("object reader: large objects through git cat-file", function () {
  this.timeout(120_000);

  it("reads a 64 MiB blob whole, twice in one round, within seconds, and the next small answer after it", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "r.git");
    execFileSync("git", ["init", "-q", "--bare", gitDir]);
    const big = Buffer.from(randomBytes(48 * 2 ** 20).toString("base64"));
    writeFileSync(path.join(dir, "big.txt"), big);
    writeFileSync(path.join(dir, "small.txt"), "/system note\nset note=after\n");
    const hash = (f: string) => execFileSync("git", ["--git-dir", gitDir, "hash-object", "-w", path.join(dir, f)], { encoding: "utf8" }).trim();
    const [bigId, smallId] = [hash("big.txt"), hash("small.txt")];
    const reader = new ObjectReader(gitDir);
    try {
      const t0 = performance.now();
      const [a, b, small, missing] = await Promise.all([reader.read(bigId), reader.read(bigId), reader.read(smallId), reader.read("0".repeat(40))]);
      const ms = performance.now() - t0;
      assert.equal(a?.type, "blob");
      assert.ok(a!.body.equals(big), "the first copy is byte for byte");
      assert.ok(b!.body.equals(big), "the second copy too");
      assert.equal(small?.body.toString(), "/system note\nset note=after\n");
      assert.equal(missing, null);
      // One copy per answer takes well under a second here; one copy per chunk took 25 s.
      assert.ok(ms < 10_000, `two 64 MiB reads took ${ms.toFixed(0)} ms`);
    } finally {
      reader.close();
    }
  });

  it("a pipe idle for its idle time ends its git process, and the next request starts one again", async () => {
    const dir = tempDir();
    const gitDir = path.join(dir, "r.git");
    execFileSync("git", ["init", "-q", "--bare", gitDir]);
    writeFileSync(path.join(dir, "small.txt"), "/system note\nset note=idle\n");
    const id = execFileSync("git", ["--git-dir", gitDir, "hash-object", "-w", path.join(dir, "small.txt")], { encoding: "utf8" }).trim();
    const pipe = new GitPipe(gitDir, ["cat-file", "--batch"], { idleMs: 100 });
    try {
      assert.equal((await pipe.request(`${id}\n`, parseBatchObject))?.body.toString(), "/system note\nset note=idle\n");
      assert.equal(pipe.running, true);
      const t0 = Date.now();
      while (pipe.running && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      assert.equal(pipe.running, false, "ended after being idle");
      assert.equal((await pipe.request(`${id}\n`, parseBatchObject))?.body.toString(), "/system note\nset note=idle\n");
      assert.equal(pipe.running, true);
    } finally {
      pipe.close();
    }
  });
});
