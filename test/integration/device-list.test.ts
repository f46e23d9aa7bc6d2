import assert from "node:assert/strict";
import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { INITIAL_STATE } from "../../src/store/index.js";
import { bearer, getJson, startApi, type ApiServer } from "../helpers/api.js";
import { until } from "../helpers/wait.js";

/** 250 devices: three groups and ungrouped ones, hosts in two networks. */
const DEVICES = Array.from({ length: 250 }, (_, i) => ({
  id: `rtr-${String(i).padStart(3, "0")}`,
  ...(i % 4 === 3 ? {} : { group: ["ams", "fra", "lon"][i % 4]! }),
  host: i % 2 === 0 ? `10.1.${i >> 8}.${i & 255}` : `edge${i}.Example.net`,
}));

describe("api: the device list, paged and filtered on the server", function () {
  this.timeout(120_000);
  let api: ApiServer;
  let base: string;
  const list = async (query: string, token = api.tokens.viewer) => getJson(`${base}/devices?${query}`, bearer(token));

  /** Every page of `query`, following `next`; the ids in the order served. */
  async function walk(query: string, limit: number): Promise<{ ids: string[]; pages: number; total: number }> {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let total = -1;
    do {
      const r = await list(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.devices.length <= limit);
      ids.push(...r.body.devices.map((d: { id: string }) => d.id));
      total = r.body.total;
      cursor = r.body.next;
      pages++;
    } while (cursor);
    return { ids, pages, total };
  }

  before(async () => {
    api = await startApi({ devices: DEVICES });
    base = `${api.url}/api/v1/tenants/acme`;
    // Some devices have run: ok, failing, blocked.
    for (let i = 0; i < 250; i += 5) {
      const status = i % 15 === 0 ? "failing" : i % 25 === 0 ? "blocked" : "ok";
      await api.ctx.states.put("acme", DEVICES[i]!.id, { ...INITIAL_STATE, status, last_success: "2026-01-01T00:00:00Z" });
    }
  });
  after(() => api.close());

  it("pages walk every device exactly once, in id order, with the tenant's counts on each page", async () => {
    const sorted = DEVICES.map((d) => d.id).sort();
    const all = await walk("state=active", 40);
    assert.deepEqual(all.ids, sorted);
    assert.equal(all.pages, 7);
    assert.equal(all.total, 250);
    const first = await list("limit=40");
    const expected = { active: 250, never: 200, ok: 0, failing: 0, blocked: 0, retired: 0 };
    for (let i = 0; i < 250; i += 5) expected[i % 15 === 0 ? "failing" : i % 25 === 0 ? "blocked" : "ok"]++;
    assert.deepEqual(first.body.counts, expected);
    assert.deepEqual(first.body.groups, ["ams", "fra", "lon"]);
    assert.deepEqual(first.body.sites, ["default"]);
    assert.equal(first.body.devices[0].id, "rtr-000");
    assert.equal(first.body.devices[0].status, "failing", "a page carries each device's state");
    // Without limit: the whole list in config order, as before.
    const whole = await list("");
    assert.deepEqual(whole.body.devices.map((d: { id: string }) => d.id), DEVICES.map((d) => d.id));
    assert.equal(whole.body.next, undefined);
  });

  it("filters by text (id or host, any case), state, group (empty: none) and site, page by page", async () => {
    const ids = (pred: (d: (typeof DEVICES)[number], i: number) => boolean) => DEVICES.filter((d, i) => pred(d, i)).map((d) => d.id).sort();
    assert.deepEqual((await walk("q=EXAMPLE", 30)).ids, ids((d) => d.host.includes("Example")));
    assert.deepEqual((await walk("q=rtr-1", 30)).ids, ids((d) => d.id.startsWith("rtr-1")));
    assert.deepEqual((await walk("q=10.1.0.2", 30)).ids, ids((d) => d.host.startsWith("10.1.0.2")));
    assert.deepEqual((await walk("state=failing", 7)).ids, ids((_, i) => i % 5 === 0 && i % 15 === 0));
    assert.deepEqual((await walk("group=fra", 25)).ids, ids((d) => d.group === "fra"));
    assert.deepEqual((await walk("group=", 25)).ids, ids((d) => d.group === undefined));
    assert.deepEqual((await walk("group=lon&q=example&state=never", 5)).ids, ids((d, i) => d.group === "lon" && d.host.includes("Example") && i % 5 !== 0));
    assert.deepEqual((await walk("site=default&q=rtr-24", 3)).ids, ids((d) => d.id.startsWith("rtr-24")));
    const none = await list("q=no-such-device&limit=10");
    assert.deepEqual([none.body.devices, none.body.next, none.body.total, none.body.counts.active], [[], null, 0, 250]);
  });

  it("a cursor past a device that has gone still continues after it", async () => {
    const r = await list("limit=5&cursor=rtr-0045");
    assert.deepEqual(r.body.devices.map((d: { id: string }) => d.id), ["rtr-005", "rtr-006", "rtr-007", "rtr-008", "rtr-009"]);
  });

  it("bad parameters get 400 naming the parameter", async () => {
    for (const [query, param] of [
      ["limit=0", "limit"],
      ["limit=1001", "limit"],
      ["limit=x", "limit"],
      ["limit=5&cursor=..%2Fx", "cursor"],
      ["limit=5&group=Not%20A%20Group", "group"],
      [`limit=5&q=${"a".repeat(101)}`, "q"],
      ["limit=5&q=a%0Ab", "q"],
      ["limit=5&state=sleeping", "state"],
    ] as const) {
      const r = await list(query);
      assert.equal(r.status, 400, query);
      assert.equal(r.body.error.code, "bad_parameter", query);
      assert.match(r.body.error.message, new RegExp(param), query);
    }
  });

  it("keeps tenants apart: another tenant's token gets the uniform 404; its own list holds only its devices", async () => {
    const foreign = await list("limit=10&q=rtr", api.tokens.other);
    assert.equal(foreign.status, 404);
    assert.deepEqual(foreign.body, { error: { code: "not_found", message: "not found" } });
    const own = await getJson(`${api.url}/api/v1/tenants/other/devices?limit=10&q=rtr`, bearer(api.tokens.other));
    assert.deepEqual([own.status, own.body.devices, own.body.total, own.body.counts.active], [200, [], 0, 1]);
    const mine = await getJson(`${api.url}/api/v1/tenants/other/devices?limit=10`, bearer(api.tokens.other));
    assert.deepEqual(mine.body.devices.map((d: { id: string }) => d.id), ["core-1"]);
  });

  it("a state written by another process (the CLI) reaches the list", async () => {
    assert.equal((await list("limit=1&q=rtr-001")).body.devices[0].status, "never");
    const file = path.join(api.dir, "state/devices/acme/rtr-001.json");
    writeFileSync(`${file}.cli`, JSON.stringify({ ...INITIAL_STATE, status: "blocked" }));
    renameSync(`${file}.cli`, file);
    await until("the blocked state in the list", 30_000, async () => ((await list("limit=1&q=rtr-001")).body.devices[0].status === "blocked" ? true : undefined));
    assert.equal((await list("limit=1")).body.counts.blocked >= 1, true);
  });
});
