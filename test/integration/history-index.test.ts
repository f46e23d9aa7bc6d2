import assert from "node:assert/strict";
import path from "node:path";
import { deviceHistory } from "../../src/archive/index.js";
import { commitText, openRepo } from "../helpers/archive.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { tempDir } from "../helpers/tmp.js";

const text = (n: number) => `# RouterOS 7.16.2\n/system note\nset note="revision ${n}"\n`;

/** The per-path commit index (a cache of git) stays exact while main moves under concurrent readers. */
describe("history index under concurrent readers", function () {
  this.timeout(60_000);

  it("many pages requested at once while main moved list every version once", async () => {
    const repo = await openRepo(path.join(tempDir(), "repos"));
    const commit = (n: number) => commitText(repo, "core-1.rsc", text(n), 1_700_000_000 + n);
    try {
      for (let n = 0; n < 5; n++) await commit(n);
      await repo.paths.current(); // built at the old tip
      for (let round = 0; round < 5; round++) {
        for (let n = 0; n < 3; n++) await commit(100 * (round + 1) + n);
        // Readers that all see main moved at once, as SSE-driven browsers do.
        const pages = await Promise.all(Array.from({ length: 8 }, () => deviceHistory(repo, "core-1.rsc", { limit: 200, sectionOf: ROUTEROS.sectionOf })));
        for (const page of pages) {
          const ids = page.map((e) => e.commit);
          assert.equal(new Set(ids).size, ids.length, "no version twice");
          assert.equal(ids.length, 5 + 3 * (round + 1));
        }
      }
      const list = (await repo.paths.current()).byPath.get("core-1.rsc")!;
      assert.equal(new Set(list).size, list.length);
    } finally {
      repo.close();
    }
  });
});
