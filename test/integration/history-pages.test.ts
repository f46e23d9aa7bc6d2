import assert from "node:assert/strict";
import { HISTORY_MAX_BYTES } from "../../src/api/routes/history.js";
import { bearer, importText, startApi, type ApiServer } from "../helpers/api.js";

/** A menu path of 120 characters (long, but under the 128 a section name keeps). */
const menu = (k: number) => `/${"interface-with-a-very-long-name".repeat(4).slice(0, 110)} m${String(k).padStart(3, "0")}`;

/** 100 long-named menus, every value changed by `round`: a history entry of 100 sections, some 14 KB of JSON. */
function wideExport(round: number): string {
  const lines = ["# 2025-01-02 03:04:05 by RouterOS 7.17.2", "# software id = ABCD-1234", "#"];
  for (let k = 0; k < 100; k++) lines.push(menu(k), `set value=${round}-${k}`);
  return `${lines.join("\n")}\n`;
}

describe("history pages are bounded in bytes", function () {
  this.timeout(300_000);
  let api: ApiServer;
  const commits: string[] = [];
  before(async () => {
    api = await startApi({ devices: [{ id: "wide-1" }] });
    for (let round = 0; round < 110; round++) {
      const r = await importText(api, "wide-1", wideExport(round), new Date(Date.UTC(2025, 0, 1, 0, round)).toISOString().replace(".000Z", "Z"));
      assert.equal(r.changed, true);
      commits.push(r.commit);
    }
  });
  after(() => api?.close());

  for (const route of ["/devices/wide-1/history", "/history"]) {
    it(`${route}: a page of 200 stops before ${HISTORY_MAX_BYTES} bytes, says so with next, and paging on loses and repeats nothing`, async () => {
      const seen: string[] = [];
      let before: string | null = null;
      let pages = 0;
      for (;;) {
        const res = await fetch(`${api.url}/api/v1/tenants/acme${route}?limit=200${before ? `&before=${before}` : ""}`, { headers: bearer(api.tokens.viewer) });
        assert.equal(res.status, 200);
        const text = await res.text();
        assert.ok(Buffer.byteLength(text) <= HISTORY_MAX_BYTES + 4096, `page of ${Buffer.byteLength(text)} bytes`);
        const page = JSON.parse(text) as { entries: Array<{ commit: string; sections: unknown[] }>; next: string | null };
        pages++;
        assert.ok(page.entries.length > 0);
        for (const e of page.entries) assert.equal(e.sections.length, 100);
        seen.push(...page.entries.map((e) => e.commit));
        if (page.next === null) break;
        assert.equal(page.next, page.entries[page.entries.length - 1]!.commit);
        before = page.next;
      }
      assert.ok(pages >= 2, `the 110 entries (about 1.5 MB) took ${pages} pages`);
      assert.deepEqual(seen, [...commits].reverse(), "every commit once, newest first");
    });
  }
});
