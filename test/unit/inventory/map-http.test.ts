import assert from "node:assert/strict";
import { mapHttpAnswer } from "../../../src/inventory/map-http.js";

describe("inventory: http source field mapping", () => {
  const fields = { id: "hostname", host: "mgmt.ipv4", port: "mgmt.ssh_port", group: "pop", site: "location.code", enabled: "monitored", interval: "backup.every", credentials: "auth_profile" };

  it("reads each device key at its dotted path, numbers and booleans as JSON gives them", () => {
    const answer = {
      data: {
        routers: [
          { hostname: "Core-1", mgmt: { ipv4: "10.0.0.1", ssh_port: 2222 }, pop: "fra", location: { code: "FRA1" }, monitored: true, backup: { every: "6h" }, auth_profile: "core" },
          { hostname: "edge-2", mgmt: { ipv4: "10.0.0.2" }, monitored: false, backup: { every: 3600 } },
          { mgmt: { ipv4: "10.0.0.3" } },
        ],
      },
    };
    const list = mapHttpAnswer(answer, { items: "data.routers", fields });
    assert.deepEqual(list.records, [
      { id: "core-1", host: "10.0.0.1", port: 2222, group: "fra", site: "fra1", enabled: true, intervalMs: 6 * 3600_000, credentials: "core" },
      { id: "edge-2", host: "10.0.0.2", enabled: false, intervalMs: 3600_000 },
    ]);
    assert.deepEqual(list.skipped, [{ row: "item 2", reason: "no device id" }]);
  });

  it("an answer that is the list itself; a missing list or a bad value is an error naming the item", () => {
    assert.equal(mapHttpAnswer([{ hostname: "r1", mgmt: { ipv4: "h" } }], { items: null, fields }).records.length, 1);
    assert.throws(() => mapHttpAnswer({ routers: [] }, { items: null, fields }), /not a JSON list/);
    assert.throws(() => mapHttpAnswer({ data: {} }, { items: "data.routers", fields }), /no JSON list at "data.routers"/);
    assert.throws(() => mapHttpAnswer([{ hostname: "r1", mgmt: { ipv4: "h", ssh_port: "ssh" } }], { items: null, fields }), /item 0: device r1: port "ssh" is not a port number/);
    assert.throws(() => mapHttpAnswer([{ hostname: "r1", mgmt: { ipv4: "h" }, monitored: "maybe" }], { items: null, fields }), /enabled "maybe" is not true or false/);
  });
});
