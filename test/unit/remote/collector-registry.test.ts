import assert from "node:assert/strict";
import { CollectorRegistry } from "../../../src/remote/index.js";

const beat = (id: string, over: Record<string, unknown> = {}) => ({ v: 1 as const, id, sites: ["a"], version: "0.1.0", in_flight: 2, concurrency: 20, jobs_done: 5, started_at: 0, leaving: false, ...over });

describe("remote: CollectorRegistry", () => {
  it("a site is live while a collector of it was heard within the TTL; unknown sites wait one TTL after start", () => {
    let now = 1_000_000;
    const r = new CollectorRegistry(() => 3000, () => now);
    assert.equal(r.siteLive("a"), true, "just started: collectors have not announced themselves yet");
    now += 3001;
    assert.equal(r.siteLive("a"), false);
    r.heard("a", beat("c1"));
    assert.equal(r.siteLive("a"), true);
    assert.equal(r.siteLive("b"), false, "a collector counts only for the site of its subject");
    now += 3001;
    assert.equal(r.siteLive("a"), false, "silent past the TTL");
    assert.deepEqual(r.list().map((c) => [c.site, c.id, c.live, c.in_flight]), [["a", "c1", false, 2]]);
  });

  it("forgets a collector that says it is leaving", () => {
    let now = 0;
    const r = new CollectorRegistry(() => 3000, () => now);
    now = 10_000;
    r.heard("a", beat("c1"));
    r.heard("a", beat("c1", { leaving: true }));
    assert.deepEqual(r.list(), []);
    assert.equal(r.siteLive("a"), false);
  });
});
