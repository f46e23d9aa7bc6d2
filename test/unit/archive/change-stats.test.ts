import assert from "node:assert/strict";
import { capSections, MAX_SECTIONS, MAX_SECTION_NAME, statsFields, summarize, summaryLine } from "../../../src/archive/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";

describe("archive: sections capped with a count of the rest", () => {
  it("keeps the largest sections in file order and counts the others", () => {
    // 150 sections: section i changed (i % 7) + 1 lines; the 100 largest win, ties go to the earlier one.
    const all = Array.from({ length: 150 }, (_, i) => ({ section: `/s${i}`, added: (i % 7) + 1, removed: 0 }));
    const { sections, omitted } = capSections(all);
    assert.equal(sections.length, MAX_SECTIONS);
    const byWeight = [...all].sort((x, y) => y.added - x.added || Number(x.section.slice(2)) - Number(y.section.slice(2))).slice(0, MAX_SECTIONS);
    assert.deepEqual(sections, all.filter((s) => byWeight.includes(s)), "the 100 largest, in file order");
    const left = all.filter((s) => !byWeight.includes(s));
    assert.deepEqual(omitted, { sections: 50, added: left.reduce((n, s) => n + s.added, 0), removed: 0 });
  });

  it("leaves a short list alone and cuts overlong names", () => {
    const few = [{ section: "/ip address", added: 1, removed: 2 }];
    assert.deepEqual(capSections(few), { sections: few, omitted: undefined });
    const long = `/${"x".repeat(5000)}`;
    const [cut] = capSections([{ section: long, added: 1, removed: 0 }]).sections;
    assert.equal(cut!.section.length, MAX_SECTION_NAME);
    assert.ok(cut!.section.endsWith("…") && long.startsWith(cut!.section.slice(0, -1)));
  });

  it("a router exporting 300,000 one-line menus gets 100 sections and a count of 299,900", () => {
    const menus = (tag: string) => `${Array.from({ length: 300_000 }, (_, i) => `/${tag}${i}`).join("\n")}\n`;
    const first = summarize(null, menus("a"), ROUTEROS.sectionOf);
    assert.equal(first.sections.length, 100);
    assert.deepEqual(first.sectionsOmitted, { sections: 299_900, added: 299_900, removed: 0 });
    assert.deepEqual(first.stats, { added: 300_000, removed: 0 });
    const change = summarize(menus("a"), menus("b"), ROUTEROS.sectionOf);
    assert.equal(change.sections.length, 100);
    // Every section has one line: ties go to the earlier sections, the removed menus (a block's removals come first).
    assert.ok(change.sections.every((s) => s.removed === 1 && s.added === 0));
    assert.deepEqual(change.sectionsOmitted, { sections: 599_900, added: 300_000, removed: 299_900 });
    assert.equal(summaryLine(change), `+300000 -300000 in ${change.sections[0]!.section} and 599999 more sections`);
    const json = statsFields(change);
    assert.deepEqual(Object.keys(json), ["stats", "sections", "sections_omitted"]);
    assert.ok(JSON.stringify(json).length < 8 * 1024, `${JSON.stringify(json).length} bytes`);
  });

  it("statsFields adds sections_omitted and approximate only when they say something", () => {
    assert.deepEqual(statsFields({ stats: { added: 1, removed: 0 }, sections: [{ section: "/a", added: 1, removed: 0 }] }), { stats: { added: 1, removed: 0 }, sections: [{ section: "/a", added: 1, removed: 0 }] });
    const f = statsFields({ stats: { added: 9, removed: 9 }, sections: [], sectionsOmitted: { sections: 3, added: 9, removed: 9 }, approximate: true });
    assert.deepEqual(f, { stats: { added: 9, removed: 9 }, sections: [], sections_omitted: { sections: 3, added: 9, removed: 9 }, approximate: true });
  });
});
