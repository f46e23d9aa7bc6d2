import assert from "node:assert/strict";
import { configChangedEvent, deviceEvent, MAX_EVENT_BYTES } from "../../../src/notify/index.js";

const ID = "a".repeat(63);
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

function changed(sections: Array<{ section: string; added: number; removed: number }>, version = "7.16.2") {
  return configChangedEvent(
    { tenant: ID, device: ID, commit: COMMIT, parent: COMMIT, collected_at: "2026-11-22T10:00:00Z", trigger: "scheduled", routeros_version: version, stats: { added: 1, removed: 1 }, sections },
    "https://rosarchive.example.net",
    () => "00000000-0000-4000-8000-000000000001",
  );
}

describe("notify: event bodies have a maximum size", () => {
  it("config.changed of 300,000 sections lists 100 and counts the rest, under MAX_EVENT_BYTES", () => {
    const all = Array.from({ length: 300_000 }, (_, i) => ({ section: `/m${i}`, added: 1, removed: i % 2 }));
    const ev = changed(all);
    const bytes = Buffer.byteLength(JSON.stringify(ev));
    assert.ok(bytes <= MAX_EVENT_BYTES, `${bytes} bytes`);
    assert.equal(ev.sections.length, 100);
    assert.equal(ev.sections_omitted!.sections, 299_900);
    assert.equal(ev.sections.reduce((n, s) => n + s.added, 0) + ev.sections_omitted!.added, 300_000, "every line counted once");
  });

  it("stays under the limit with the worst names JSON can get (quotes and control characters) and a huge version", () => {
    // Each of these characters takes 6 bytes in JSON (\u0001): 100 names of 128 would not fit.
    const nasty = `/"${"\u0001".repeat(3000)}`;
    const ev = changed(Array.from({ length: 500 }, (_, i) => ({ section: `${nasty}${i}`, added: i, removed: 0 })), `7.${"9".repeat(100_000)}`);
    const bytes = Buffer.byteLength(JSON.stringify(ev));
    assert.ok(bytes <= MAX_EVENT_BYTES, `${bytes} bytes`);
    assert.ok(ev.sections.length > 0 && ev.sections.length < 100);
    assert.equal(ev.sections.length + ev.sections_omitted!.sections, 500, "sections listed plus counted are all of them");
    assert.ok(ev.routeros_version.length <= 64);
    assert.deepEqual(Object.keys(ev).slice(-3), ["sections", "sections_omitted", "links"]);
  });

  it("an ordinary event is unchanged: no sections_omitted, no approximate", () => {
    const ev = changed([{ section: "/ip firewall filter", added: 2, removed: 1 }]);
    assert.deepEqual(Object.keys(ev), ["event", "id", "tenant", "device", "commit", "parent", "collected_at", "trigger", "routeros_version", "stats", "sections", "links"]);
  });

  it("a device event's error message is cut", () => {
    const ev = deviceEvent({ event: "device.failed", tenant: "acme", device: "core-1", time: "2026-11-22T10:00:00Z", state: "failing", error: { code: "invalid_output", message: "x".repeat(100_000) } }, () => "00000000-0000-4000-8000-000000000002");
    assert.ok(Buffer.byteLength(JSON.stringify(ev)) < 4096);
    assert.equal(ev.error!.code, "invalid_output");
  });
});
