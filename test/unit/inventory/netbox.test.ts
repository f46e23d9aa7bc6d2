import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { netboxFirstPage, netboxNextPage, netboxPage } from "../../../src/inventory/netbox.js";
import { readSource } from "../../../src/inventory/read-source.js";
import { listFromRows } from "../../../src/inventory/source-list.js";
import type { NetboxSourceConfig } from "../../../src/config/index.js";
import { REPO_ROOT } from "../../helpers/tmp.js";

const recorded = (name: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, "test/fixtures/netbox", name), "utf8"));

const source: NetboxSourceConfig = {
  type: "netbox",
  name: "netbox",
  url: "https://netbox.example/nb",
  intervalMs: 60_000,
  maxRemoval: 0.1,
  timeoutMs: 5000,
  filter: { platform: ["juniper-junos"], status: ["active"], tag: ["backup", "core"] },
  virtualMachines: true,
  customFields: { port: "ssh_port", group: "backup_group", interval: "backup_interval", credentials: "backup_credentials" },
  pageSize: 3,
  auth: { token_env: "NB_TOKEN" },
};

describe("inventory: NetBox answers (recorded by pynetbox)", () => {
  it("takes the name, the primary IP without its prefix length and the site slug; devices without a primary IP are skipped with the reason", () => {
    const page = netboxPage(recorded("devices.json"), source, "devices");
    const list = listFromRows(page.rows);
    assert.deepEqual(list.records, [
      { id: "test1-core1", host: "10.0.254.1", site: "test1" },
      { id: "test1-core2", host: "10.0.254.2", site: "test1" },
      { id: "test1-edge1", host: "10.0.255.1", site: "test1" },
      { id: "test1-edge2", host: "10.0.255.2", site: "test1" },
    ]);
    assert.deepEqual(
      page.skipped.map((s) => s.row),
      ["device 4 (test1-leaf1)", "device 5 (test1-leaf2)", "device 9 (test1-oob1)", "device 11 (test1-pdu1)", "device 12 (test1-pdu2)", "device 3 (test1-spine1)", "device 6 (test1-spine2)"],
    );
    assert.ok(page.skipped.every((s) => s.reason === "it has no primary IP"));
    assert.equal(page.next, null);
    const vms = netboxPage(recorded("virtual_machines.json"), source, "virtual-machines");
    assert.deepEqual(vms.skipped, [{ row: "virtual machine 1 (vm-test01)", reason: "it has no primary IP" }]);
  });

  it("maps custom fields (NetBox's documented shape: name to value) to port, group, interval and credentials", () => {
    const answer = recorded("devices.json");
    answer.results[0].custom_fields = { ssh_port: 2222, backup_group: "Core", backup_interval: "1h", backup_credentials: "junos-ro" };
    answer.results[1].custom_fields = { ssh_port: null, backup_group: null };
    const list = listFromRows(netboxPage(answer, source, "devices").rows);
    assert.deepEqual(list.records[0], { id: "test1-core1", host: "10.0.254.1", site: "test1", port: 2222, group: "core", intervalMs: 3600_000, credentials: "junos-ro" });
    assert.deepEqual(list.records[1], { id: "test1-core2", host: "10.0.254.2", site: "test1" });
    answer.results[2].custom_fields = { ssh_port: "twenty-two" };
    assert.throws(() => listFromRows(netboxPage(answer, source, "devices").rows), /device 1 \(test1-edge1\): device test1-edge1: port "twenty-two" is not a port number/);
  });

  it("asks with the configured filters (a list repeats the parameter) and the page size", () => {
    const u = new URL(netboxFirstPage(source, "devices"));
    assert.equal(`${u.origin}${u.pathname}`, "https://netbox.example/nb/api/dcim/devices/");
    assert.deepEqual(u.searchParams.getAll("tag"), ["backup", "core"]);
    assert.equal(u.searchParams.get("platform"), "juniper-junos");
    assert.equal(u.searchParams.get("status"), "active");
    assert.equal(u.searchParams.get("limit"), "3");
    assert.equal(new URL(netboxFirstPage(source, "virtual-machines")).pathname, "/nb/api/virtualization/virtual-machines/");
  });

  it("follows next on the configured origin only (a proxy may rewrite scheme or host; the token stays home)", () => {
    assert.equal(netboxNextPage(source, "http://localhost:8000/nb/api/dcim/devices/?limit=3&offset=3"), "https://netbox.example/nb/api/dcim/devices/?limit=3&offset=3");
    assert.equal(netboxNextPage(source, null), null);
    assert.throws(() => netboxNextPage(source, "https://evil.example/other/path?x=1"), /outside \/nb\/api\//);
    assert.throws(() => netboxNextPage(source, 42), /not a URL/);
  });

  it("pages through every page of devices, then virtual machines, with the token as NetBox expects it", async () => {
    const devices = recorded("devices.json").results as unknown[];
    const asked: Array<{ url: string; auth: string | undefined }> = [];
    const get = async (url: string, headers: Record<string, string>) => {
      asked.push({ url, auth: headers.Authorization });
      const u = new URL(url);
      const all = u.pathname.endsWith("/virtual-machines/") ? (recorded("virtual_machines.json").results as unknown[]) : devices;
      const limit = Number(u.searchParams.get("limit"));
      const offset = Number(u.searchParams.get("offset") ?? 0);
      const more = offset + limit < all.length;
      const next = more ? `http://internal:8000${u.pathname}?limit=${limit}&offset=${offset + limit}` : null;
      return { status: 200, etag: null, body: JSON.stringify({ count: all.length, next, previous: null, results: all.slice(offset, offset + limit) }) };
    };
    const r = await readSource(source, { env: { NB_TOKEN: "0123456789abcdef" }, readFile: async () => "", get }, null);
    assert.equal(r.kind, "list");
    assert.equal(r.kind === "list" && r.list.records.length, 4);
    assert.equal(r.kind === "list" && r.list.skipped.length, 8);
    assert.equal(asked.length, 4 + 1); // 11 devices in pages of 3, then one page of machines
    assert.ok(asked.every((a) => a.auth === "Token 0123456789abcdef"));
    assert.ok(asked.every((a) => a.url.startsWith("https://netbox.example/nb/api/")));
    const v2 = await readSource({ ...source, virtualMachines: false }, { env: { NB_TOKEN: "nbt_abc.def" }, readFile: async () => "", get }, null);
    assert.equal(v2.kind, "list");
    assert.equal(asked.at(-1)!.auth, "Bearer nbt_abc.def");
    await assert.rejects(readSource(source, { env: {}, readFile: async () => "", get }, null), /environment variable NB_TOKEN \(token_env of inventory source netbox\) is not set/);
  });
});
