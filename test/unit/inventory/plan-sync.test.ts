import assert from "node:assert/strict";
import { loadConfig, type Config } from "../../../src/config/index.js";
import type { InventoryRecord } from "../../../src/inventory/inventory-record.js";
import { mergeInventory, type InventoryLists } from "../../../src/inventory/merge-inventory.js";
import { planSync, removalDigest } from "../../../src/inventory/plan-sync.js";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

function config(devices = "[]", extra = ""): Config {
  return loadConfig(
    `encryption: { recipients: [${RECIPIENT}] }
credentials: { core: { username: ops, password_env: CORE_PW } }
defaults: { password_env: ROUTER_PASSWORD }
tenants:
  acme:
    defaults: { site: fra, credentials: core }
    inventory:
      - { type: file, name: cmdb, path: ./routers.csv }
      - { type: http, name: api, url: "http://127.0.0.1:9/x", fields: { id: name, host: ip }, max_removal: 50% }
${extra}
    devices: ${devices}
`,
    { baseDir: "/cfg" },
  );
}
const recs = (...ids: string[]): InventoryRecord[] => ids.map((id) => ({ id, host: `${id}.example` }));
const lists = (cmdb: InventoryRecord[] | null, api: InventoryRecord[] | null = null): InventoryLists =>
  new Map([["acme", new Map([...(cmdb ? [["cmdb", cmdb] as const] : []), ...(api ? [["api", api] as const] : [])])]]);
const source = (c: Config, name: string) => c.tenants.get("acme")!.inventory.find((s) => s.name === name)!;

describe("inventory: the sync planner", () => {
  it("a first sync adds every device with the tenant's defaults and sets; nothing to remove", () => {
    const c = config();
    const p = planSync({ config: c, lists: lists(null), tenant: "acme", source: source(c, "cmdb"), next: recs("r1", "r2"), confirmed: null });
    assert.equal(p.kind, "apply");
    if (p.kind !== "apply") return;
    assert.deepEqual([p.added, p.removed], [["r1", "r2"], []]);
    const r1 = p.config.tenants.get("acme")!.deviceById.get("r1")!;
    assert.deepEqual([r1.source, r1.site, r1.username, { ...r1.credentials }, r1.path], ["cmdb", "fra", "ops", { password_env: "CORE_PW" }, "r1.rsc"]);
  });

  it("removing up to max_removal of the tenant's devices applies; more is refused until exactly that removal is confirmed", () => {
    const c = config("[{ id: cfg-1, host: h }]");
    const ten = recs(...Array.from({ length: 19 }, (_, i) => `r${i}`)); // 19 + 1 in the file = 20 devices
    const base = lists(ten);
    // 2 of 20 = 10 %: not more than the default 10 %.
    const two = planSync({ config: c, lists: base, tenant: "acme", source: source(c, "cmdb"), next: ten.slice(2), confirmed: null });
    assert.equal(two.kind, "apply");
    assert.deepEqual(two.kind === "apply" && two.removed, ["r0", "r1"]);
    // 3 of 20 = 15 %: refused.
    const three = planSync({ config: c, lists: base, tenant: "acme", source: source(c, "cmdb"), next: ten.slice(3), confirmed: null });
    assert.equal(three.kind, "refuse");
    if (three.kind !== "refuse") return;
    assert.deepEqual([three.removed, three.devices, three.share], [["r0", "r1", "r2"], 20, 0.15]);
    assert.equal(three.digest, removalDigest("acme", "cmdb", ["r2", "r0", "r1"]));
    // An empty answer (a broken export) would remove all 19: refused.
    assert.equal(planSync({ config: c, lists: base, tenant: "acme", source: source(c, "cmdb"), next: [], confirmed: null }).kind, "refuse");
    // Confirmed: exactly this removal goes through; a confirmation of another removal does not.
    assert.equal(planSync({ config: c, lists: base, tenant: "acme", source: source(c, "cmdb"), next: ten.slice(3), confirmed: three.digest }).kind, "apply");
    assert.equal(planSync({ config: c, lists: base, tenant: "acme", source: source(c, "cmdb"), next: ten.slice(4), confirmed: three.digest }).kind, "refuse");
    // Another source's max_removal (50 %) is its own.
    const api = planSync({ config: c, lists: lists(ten.slice(0, 2), recs("a1", "a2")), tenant: "acme", source: source(c, "api"), next: recs("a1"), confirmed: null });
    assert.equal(api.kind, "apply"); // 1 of 5 = 20 % < 50 %
  });

  it("the same id from the config file or another source is refused, naming both", () => {
    const c = config("[{ id: core-1, host: h }]");
    const vsFile = planSync({ config: c, lists: lists(null), tenant: "acme", source: source(c, "cmdb"), next: recs("core-1"), confirmed: null });
    assert.equal(vsFile.kind, "invalid");
    assert.match(vsFile.kind === "invalid" ? vsFile.problems.join("\n") : "", /device core-1 is listed by the config file and by inventory source cmdb/);
    const vsSource = planSync({ config: c, lists: lists(recs("r9")), tenant: "acme", source: source(c, "api"), next: recs("r9"), confirmed: null });
    assert.match(vsSource.kind === "invalid" ? vsSource.problems.join("\n") : "", /device r9 is listed by inventory source cmdb and by inventory source api/);
  });

  it("colliding paths and unknown credential sets are refused", () => {
    const c = config("[{ id: core-1, host: h }]");
    const folder = planSync({ config: c, lists: lists(null), tenant: "acme", source: source(c, "cmdb"), next: [{ id: "x", host: "h", group: "core-1.rsc" }], confirmed: null });
    assert.match(folder.kind === "invalid" ? folder.problems.join("\n") : "", /device x \(inventory source cmdb\) collides with device core-1 \(the config file\): core-1\.rsc is the file of core-1 and the folder of x's group/);
    const set = planSync({ config: c, lists: lists(null), tenant: "acme", source: source(c, "cmdb"), next: [{ id: "y", host: "h", credentials: "nope" }], confirmed: null });
    assert.match(set.kind === "invalid" ? set.problems.join("\n") : "", /no credential set named "nope"/);
  });

  it("mergeInventory keeps the config file's devices first, then each source's in order; nothing to merge returns the same Config", () => {
    const c = config("[{ id: cfg-1, host: h }]");
    assert.equal(mergeInventory(c, new Map()).config, c);
    const m = mergeInventory(c, lists(recs("b", "a"), recs("z")));
    assert.deepEqual(m.problems, []);
    assert.deepEqual(m.config.tenants.get("acme")!.devices.map((d) => `${d.source}:${d.id}`), ["config:cfg-1", "cmdb:b", "cmdb:a", "api:z"]);
    assert.ok(Object.isFrozen(m.config.tenants.get("acme")!.devices));
  });
});
