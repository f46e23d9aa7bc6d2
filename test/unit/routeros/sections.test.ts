import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "../../helpers/tmp.js";
import { sectionOf } from "../../../src/routeros/index.js";

describe("routeros: sectionOf", () => {
  it("returns the menu path of a menu line", () => {
    assert.equal(sectionOf("/ip firewall filter"), "/ip firewall filter");
    assert.equal(sectionOf("/interface wireless security-profiles"), "/interface wireless security-profiles");
    assert.equal(sectionOf("/ip firewall filter  "), "/ip firewall filter");
    assert.equal(sectionOf("/routing ospf-v3 instance"), "/routing ospf-v3 instance");
  });

  it("stops at a command on the same line", () => {
    assert.equal(sectionOf("/ip address add address=10.0.0.1/24 interface=ether1"), "/ip address");
    assert.equal(sectionOf("/system identity set name=R1"), "/system identity");
    assert.equal(sectionOf("/interface set [ find default-name=ether1 ] mtu=1500"), "/interface");
  });

  it("returns null for anything else", () => {
    assert.equal(sectionOf("add name=bridge1"), null);
    assert.equal(sectionOf("# model = RB941-2nD"), null);
    assert.equal(sectionOf("    /ip address"), null);
    assert.equal(sectionOf(""), null);
  });
});

describe("routeros: sectionOf keeps no export alive", function () {
  this.timeout(60_000);

  // A line of an export is a slice pointing into the whole export text; remembering it would keep that text.
  it("after sections of 20 exports of 8 MB, each with its own menu line, the heap holds none of them", () => {
    const script = `
      const { sectionOf } = await import(${JSON.stringify(path.join(REPO_ROOT, "dist/src/routeros/index.js"))});
      globalThis.gc();
      const before = process.memoryUsage().heapUsed;
      for (let k = 0; k < 20; k++) {
        const text = "/interface menu" + k + "\\n" + "# filler line of the export\\n".repeat(300000);
        const first = text.split("\\n", 1)[0];
        if (sectionOf(first) !== "/interface menu" + k) throw new Error("wrong section");
      }
      globalThis.gc();
      console.log(JSON.stringify({ grewMb: (process.memoryUsage().heapUsed - before) / 2 ** 20 }));
    `;
    const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8" });
    const { grewMb } = JSON.parse(out) as { grewMb: number };
    assert.ok(grewMb < 20, `the heap grew by ${grewMb.toFixed(0)} MB after the exports were dropped`);
  });
});
