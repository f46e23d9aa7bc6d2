import assert from "node:assert/strict";
import { mapNodes, pathMeaning, parseRawLog, type NodeFile } from "../../../src/migrate/index.js";

const file = (repo: string, p: string, times: number[]) => ({ repo, path: p, versions: times.map((time, seq) => ({ commit: `c${seq}`, time, blob: `b${seq}`, seq })) });
const node = (name: string, group: string | null, times: number[], repo = "oxidized"): NodeFile => ({ file: file(repo, group ? `${group}/${name}` : name, times), node: { name, group } });

describe("migrate: where nodes are and which device they go to", () => {
  it("reads Oxidized's and RANCID's layouts", () => {
    assert.deepEqual(pathMeaning("oxidized", "core-1", null), { kind: "node", node: { name: "core-1", group: null } });
    assert.deepEqual(pathMeaning("oxidized", "core-1", "fra"), { kind: "node", node: { name: "core-1", group: "fra" } });
    assert.deepEqual(pathMeaning("oxidized", "fra/core-1", null), { kind: "node", node: { name: "core-1", group: "fra" } });
    assert.equal(pathMeaning("oxidized", "a/b/c", null).kind, "unexpected");
    assert.equal(pathMeaning("oxidized", ".gitignore", null).kind, "ignore");
    assert.deepEqual(pathMeaning("rancid", "configs/core-1", "fra"), { kind: "node", node: { name: "core-1", group: "fra" } });
    assert.deepEqual(pathMeaning("rancid", "fra/configs/core-1", null), { kind: "node", node: { name: "core-1", group: "fra" } });
    for (const p of ["router.db", "fra/router.db", "configs/.gitignore", "routers.up", "CVSROOT/history"]) assert.equal(pathMeaning("rancid", p, null).kind, "ignore", p);
  });

  it("matches by id, lowercased id, then a unique host; anything else is skipped, never added", () => {
    const devices = [
      { id: "core-1", host: "10.0.0.1", group: null },
      { id: "edge-7", host: "edge7.example.net", group: null },
      { id: "a", host: "10.9.9.9", group: null },
      { id: "b", host: "10.9.9.9", group: null },
    ];
    const { plans, unmapped } = mapNodes([node("Core-1", null, [1]), node("edge7.example.net", null, [2]), node("10.9.9.9", null, [3]), node("unknown", null, [4])], devices);
    assert.deepEqual(plans.map((p) => [p.device.id, p.files.map((f) => f.node.name)]), [["core-1", ["Core-1"]], ["edge-7", ["edge7.example.net"]]]);
    assert.deepEqual(unmapped.map((u) => [u.file.node.name, u.reason]), [["10.9.9.9", "not_in_config"], ["unknown", "not_in_config"]]);
    assert.match(unmapped[0]!.detail, /2 devices have host/);
  });

  it("one device, several nodes: its own group wins; a move is one history; overlapping histories are refused", () => {
    const grouped = mapNodes([node("core-1", "fra", [10, 20]), node("core-1", "ber", [11, 21])], [{ id: "core-1", host: "h", group: "fra" }]);
    assert.deepEqual(grouped.plans[0]!.files.map((f) => f.node.group), ["fra"]);
    assert.deepEqual(grouped.unmapped.map((u) => [u.file.node.group, u.reason, u.device]), [["ber", "other_group", "core-1"]]);

    const moved = mapNodes([node("core-1", null, [10, 20]), node("core-1", "fra", [30, 40])], [{ id: "core-1", host: "h", group: null }]);
    assert.deepEqual(moved.plans[0]!.versions.map((v) => v.version.time), [10, 20, 30, 40]);
    assert.equal(moved.unmapped.length, 0);

    const clash = mapNodes([node("core-1", "fra", [10, 30]), node("core-1", "ber", [20, 40])], [{ id: "core-1", host: "h", group: null }]);
    assert.equal(clash.plans.length, 0);
    assert.deepEqual(clash.unmapped.map((u) => u.reason), ["ambiguous", "ambiguous"]);
  });

  it("parses git log --raw -z: added and modified files per commit, deletions and symlinks left out", () => {
    const z = (s: string) => s.replace(/\|/g, "\0");
    const a = "a".repeat(40);
    const b = "b".repeat(40);
    const zero = "0".repeat(40);
    const out = Buffer.from(
      z(`\x1e${"1".repeat(40)} 1700000000|\n:000000 100644 ${zero} ${a} A|fra/core 1|:000000 120000 ${zero} ${b} A|link|`) +
        z(`\x1e${"2".repeat(40)} 1700000100|\n:100644 100644 ${a} ${b} M|fra/core 1|:100644 000000 ${a} ${zero} D|gone|`) +
        z(`\x1e${"3".repeat(40)} 1700000200|`),
    );
    assert.deepEqual(parseRawLog(out), [
      { commit: "1".repeat(40), time: 1700000000, seq: 0, changes: [{ path: "fra/core 1", blob: a }] },
      { commit: "2".repeat(40), time: 1700000100, seq: 1, changes: [{ path: "fra/core 1", blob: b }] },
      { commit: "3".repeat(40), time: 1700000200, seq: 2, changes: [] },
    ]);
  });
});
