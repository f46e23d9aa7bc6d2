import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { diffArrays } from "diff";
import { HEADER_SECTION, splitLines, summarize, summaryLine } from "../../../src/archive/index.js";
import { normalize } from "../../../src/normalize/index.js";
import { ROUTEROS } from "../../../src/routeros/index.js";
import { FIXTURES } from "../../helpers/tmp.js";

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

describe("archive: summarize on real exports", () => {
  // The fast path diffs only what lies between the common head and tail; a plain
  // diff of every line is the reference it must agree with.
  const reference = (before: string, after: string) => {
    const a = splitLines(before);
    const b = splitLines(after);
    let added = 0;
    let removed = 0;
    for (const part of diffArrays(a, b)) {
      if (part.added) added += part.count ?? part.value.length;
      if (part.removed) removed += part.count ?? part.value.length;
    }
    return { added, removed };
  };
  const random = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

  it("counts what a full line diff counts, for random edits of every fixture", () => {
    const dir = FIXTURES;
    const files = readdirSync(dir).filter((f) => f.endsWith(".rsc"));
    assert.ok(files.length >= 9);
    let cases = 0;
    for (const file of files) {
      const text = normalize(readFileSync(path.join(dir, file), "utf8"), ROUTEROS);
      const rnd = random(file.length);
      for (let round = 0; round < 60; round++) {
        const lines = splitLines(text);
        const edits = 1 + Math.floor(rnd() * 4);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(rnd() * (lines.length + 1));
          const kind = rnd();
          if (kind < 0.3 && lines.length > 0) lines.splice(Math.min(at, lines.length - 1), 1);
          else if (kind < 0.6) lines.splice(at, 0, `add comment=edit${round}-${e}`);
          else if (kind < 0.8 && lines.length > 0) lines[Math.min(at, lines.length - 1)] += "x";
          else lines.splice(at, 0, lines[Math.floor(rnd() * lines.length)] ?? "/ip address"); // a duplicate line
        }
        const after = lines.join("\n") + (rnd() < 0.9 ? "\n" : "");
        const s = summarize(text, after, ROUTEROS.sectionOf);
        assert.deepEqual(s.stats, reference(text, after), `${file} round ${round}`);
        const perSection = s.lines.reduce((n, l) => n + l.added.length + l.removed.length, 0);
        assert.equal(perSection, s.stats.added + s.stats.removed);
        cases++;
      }
    }
    assert.ok(cases >= 540);
  });

  it("names the section of a change far below its menu line, and the header above the first one", () => {
    const text = normalize(readFileSync(path.join(FIXTURES, "v7.17.2-chr-verbose-sensitive.rsc"), "utf8"), ROUTEROS);
    const lines = splitLines(text);
    // A menu line with at least three lines under it: the change is on the third.
    const menu = lines.findIndex((l, i) => l.startsWith("/") && [1, 2, 3].every((k) => lines[i + k] !== undefined && !lines[i + k]!.startsWith("/")));
    assert.ok(menu > 0);
    const target = menu + 3;
    const edited = [...lines];
    edited[target] += " comment=changed";
    const s = summarize(text, edited.join("\n") + "\n", ROUTEROS.sectionOf);
    const expected = ROUTEROS.sectionOf(lines.slice(0, target + 1).filter((l) => l.startsWith("/")).pop()!)!;
    assert.deepEqual(s.sections, [{ section: expected, added: 1, removed: 1 }]);
    const header = summarize(text, text.replace(/^# /, "# x "), ROUTEROS.sectionOf);
    assert.deepEqual(header.sections, [{ section: HEADER_SECTION, added: 1, removed: 1 }]);
    assert.deepEqual(summarize(text, text, ROUTEROS.sectionOf).stats, { added: 0, removed: 0 });
    assert.deepEqual(summarize("a\nb", "a\nbc", ROUTEROS.sectionOf).stats, { added: 1, removed: 1 });
    assert.deepEqual(summarize("x\nc\n", "x\nbc\n", ROUTEROS.sectionOf).stats, { added: 1, removed: 1 });
  });
});
