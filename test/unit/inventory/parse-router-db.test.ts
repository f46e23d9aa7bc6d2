import assert from "node:assert/strict";
import { parseRouterDb } from "../../../src/inventory/parse-router-db.js";

const opts = { delimiter: ":", map: { name: 0, ip: 1, model: 2, group: 3 }, models: ["routeros"] };

describe("inventory: Oxidized router.db", () => {
  it("reads name:ip:model:group lines, skips comments, blank lines and other models (reported)", () => {
    const text = ["# routers", "core1.fra:10.0.0.1:routeros:fra", "  # indented comment", "", "sw1:10.0.0.5:ios:fra", "edge7::RouterOS:", "ap3:10.0.0.9:routeros"].join("\n");
    const list = parseRouterDb(text, opts);
    assert.deepEqual(list.records, [
      { id: "core1.fra", host: "10.0.0.1", group: "fra" },
      { id: "edge7", host: "edge7" }, // no ip: the name is the host, as Oxidized resolves it
      { id: "ap3", host: "10.0.0.9" },
    ]);
    assert.deepEqual(list.skipped, [{ row: "line 5", reason: 'model "ios" is not routeros' }]);
  });

  it("another delimiter and map, as Oxidized's source config allows (e.g. for IPv6 addresses)", () => {
    const list = parseRouterDb("routeros|2001:db8::1|r1|lab\r\n", { delimiter: "|", map: { name: 2, ip: 1, model: 0, group: 3 }, models: ["routeros"] });
    assert.deepEqual(list.records, [{ id: "r1", host: "2001:db8::1", group: "lab" }]);
  });

  it("a bad group or a name twice fails the file", () => {
    assert.throws(() => parseRouterDb("r1:10.0.0.1:routeros:Bad Group\n", opts), /line 1: device r1: group "Bad Group" is not a valid identifier/);
    assert.throws(() => parseRouterDb("r1:10.0.0.1:routeros\nr1:10.0.0.2:routeros\n", opts), /line 2: device r1 is listed twice \(also line 1\)/);
  });
});
