import assert from "node:assert/strict";
import { parseCsvInventory } from "../../../src/inventory/parse-csv.js";

const opts = { delimiter: ",", fields: {} };

describe("inventory: CSV files", () => {
  it("reads a header row and every device key, quoted fields holding the delimiter, doubled quotes and line breaks", () => {
    const text = [
      "\uFEFFid,host,port,group,site,enabled,interval,credentials",
      "core-1,10.0.0.1,22,fra,fra-dc,true,6h,core",
      '"edge-2","10.0.0.2","2222","","",no,1d,""',
      'edge-3,"10.0.0.3",,"ams",,,,',
    ].join("\r\n");
    const list = parseCsvInventory(text, opts);
    assert.deepEqual(list.records, [
      { id: "core-1", host: "10.0.0.1", port: 22, group: "fra", site: "fra-dc", enabled: true, intervalMs: 6 * 3600_000, credentials: "core" },
      { id: "edge-2", host: "10.0.0.2", port: 2222, enabled: false, intervalMs: 86_400_000 },
      { id: "edge-3", host: "10.0.0.3", group: "ams" },
    ]);
    assert.deepEqual(list.skipped, []);
  });

  it("skips comment lines and blank lines; a # inside a field is data", () => {
    const text = "# exported from the CMDB\nid,host\n\n  # an indented comment (as Oxidized skips them too)\ncore-1,10.0.0.1\n# retired: core-2,10.0.0.2\n";
    const list = parseCsvInventory(text, opts);
    assert.deepEqual(list.records.map((r) => r.id), ["core-1"]);
    assert.deepEqual(list.skipped, []);
    const quoted = parseCsvInventory('id,host,group\n"core#1",10.0.0.1,x\ncore-2,10.0.0.2,fra\n', opts);
    assert.deepEqual(quoted.records.map((r) => r.id), ["core-2"]);
    assert.deepEqual(quoted.skipped, [{ row: "line 2", reason: '"core#1" is not a valid device id (lowercase letters, digits, \'.\', \'_\', \'-\', at most 63)' }]);
  });

  it("another delimiter, renamed columns, header case and spaces ignored", () => {
    const text = "Hostname ; Mgmt IP ; Location\nCORE-1;10.0.0.1;Fra\n";
    const list = parseCsvInventory(text, { delimiter: ";", fields: { id: "hostname", host: "mgmt ip", site: "location" } });
    assert.deepEqual(list.records, [{ id: "core-1", host: "10.0.0.1", site: "fra" }]);
  });

  it("rows without a usable id are skipped and reported; a bad setting fails the whole file, naming each line", () => {
    const list = parseCsvInventory("id,host\n,10.0.0.9\nBad Name!,10.0.0.8\nok-1,10.0.0.1\n", opts);
    assert.deepEqual(list.records.map((r) => r.id), ["ok-1"]);
    assert.deepEqual(list.skipped.map((s) => s.row), ["line 2", "line 3"]);
    assert.throws(() => parseCsvInventory("id,host,port\nr1,10.0.0.1,99999\nr2,,22\nr3,10.0.0.3,22\nr3,10.0.0.4,22\n", opts), (err: Error & { code?: string }) => {
      assert.equal(err.code, "inventory_invalid");
      assert.match(err.message, /line 2: device r1: port "99999" is not a port number/);
      assert.match(err.message, /line 3: device r2: host "" is missing/);
      assert.match(err.message, /line 5: device r3 is listed twice \(also line 4\)/);
      return true;
    });
  });

  it("refuses a file without id or host columns, or with an unterminated quote", () => {
    assert.throws(() => parseCsvInventory("name,address\nr1,10.0.0.1\n", opts), /header row has no "id" column/);
    assert.throws(() => parseCsvInventory('id,host\n"r1,10.0.0.1\n', opts), /not a CSV file/);
    assert.deepEqual(parseCsvInventory("", opts).records, []);
  });
});
