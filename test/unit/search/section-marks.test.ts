import assert from "node:assert/strict";
import { sectionsOfLines, splitLines } from "../../../src/archive/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { SectionMarks, SectionMarksCache } from "../../../src/search/section-marks.js";

const TEXT = ["# RouterOS 7.16.2", "# comment", "/ip service", "set telnet disabled=yes", "set ssh port=22", "/ip ssh", "set strong-crypto=yes", "/ip service", "set www disabled=yes", ""].join("\n");

describe("search: section marks (the section of any line, from the whole file)", () => {
  it("names every line's section as the history summaries do", () => {
    const marks = SectionMarks.of(TEXT, ROUTEROS.sectionOf);
    const lines = splitLines(TEXT);
    const expected = sectionsOfLines(lines, ROUTEROS.sectionOf);
    assert.deepEqual(lines.map((_, i) => marks.at(i + 1)), expected);
    assert.deepEqual(expected.slice(0, 4), ["(header)", "(header)", "/ip service", "/ip service"]);
    assert.equal(marks.at(9), "/ip service", "a section may come back");
    assert.equal(marks.at(500), "/ip service", "past the end: the last section");
    assert.equal(SectionMarks.of("", ROUTEROS.sectionOf).at(1), "");
  });

  it("the cache keeps the blobs used last", () => {
    const cache = new SectionMarksCache(2);
    const m = SectionMarks.of(TEXT, ROUTEROS.sectionOf);
    cache.set("a", m);
    cache.set("b", m);
    assert.equal(cache.get("a"), m); // a is now the most recent
    cache.set("c", m);
    assert.equal(cache.get("b"), undefined);
    assert.equal(cache.get("a"), m);
    assert.equal(cache.get("c"), m);
  });
});
