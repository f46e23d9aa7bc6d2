import assert from "node:assert/strict";
import { summarize, summaryLine } from "../../../src/archive/index.js";

const sectionOf = (l: string) => (l.startsWith("/") ? l : null);

describe("archive: summarize", () => {
  it("counts each changed line under the menu it stands in, far below its header", () => {
    const filler = Array.from({ length: 40 }, (_, i) => `add chain=forward comment=r${i}`).join("\n");
    const before = `# RouterOS 7.16\n/interface bridge\nadd name=br\n/ip firewall filter\n${filler}\nadd chain=input action=drop\n`;
    const after = `# RouterOS 7.16\n/interface bridge\nadd name=br1\n/ip firewall filter\n${filler}\nadd chain=input action=accept\nadd chain=input action=drop\n`;
    const s = summarize(before, after, sectionOf);
    assert.deepEqual(s.stats, { added: 2, removed: 1 });
    assert.deepEqual(s.sections, [
      { section: "/interface bridge", added: 1, removed: 1 },
      { section: "/ip firewall filter", added: 1, removed: 0 },
    ]);
    assert.equal(summaryLine(s), "+2 -1 in /interface bridge, /ip firewall filter");
  });

  it("names the first section and a count when many change", () => {
    const s = summarize("/a\nx\n/b\nx\n/c\nx\n", "/a\ny\n/b\ny\n/c\ny\n", sectionOf);
    assert.equal(summaryLine(s), "+3 -3 in /a and 2 more sections");
  });
});
