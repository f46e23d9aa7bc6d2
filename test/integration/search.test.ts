import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { bearer, getJson, importFixture, importText, startApi, type ApiServer } from "../helpers/api.js";
import { fsckStrict } from "../helpers/git.js";
import { FIXTURES } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const V7 = "v7.17.2-chr-verbose-sensitive.rsc"; // telnet enabled, a WireGuard private key
const V6_VERBOSE = "v6.43.8-rb941-verbose.rsc"; // telnet enabled
const V6_CAPSMAN = "v6.46.6-rb2011-capsman.rsc"; // telnet disabled
/** The WireGuard private key of the v7 fixture, in plaintext. */
const PRIVATE_KEY = "yGQ3FH40WUmzvhHvXI3h/1VaVCRaswXXhOtRQTjymUg=";
const TELNET_ON_V7 = 'set telnet address="" disabled=no max-sessions=20 port=23 vrf=main';
const NOT_FOUND = '{"error":{"code":"not_found","message":"not found"}}';

const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), "utf8");

/** The menu path a line stands in, read independently of the code under test: the last `/menu` line above it. */
function sectionAbove(lines: string[], n: number): string {
  for (let i = n - 1; i >= 0; i--) if (lines[i]!.startsWith("/")) return lines[i]!;
  return "(header)";
}

interface Hit {
  device: string;
  group: string | null;
  path: string;
  commit: string;
  line: number;
  section: string;
  text: string;
}

describe("search: every device's archived text, at latest, at a date, through history (real git grep)", function () {
  this.timeout(120_000);
  let api: ApiServer;
  let now = Date.parse("2026-01-10T08:00:00Z");
  const commits: Record<string, string> = {};
  let base: string;

  const search = (query: string, token = api.tokens.viewer) => getJson(`${base}/search?${query}`, bearer(token));
  const archived = async (device: string, commit: string) => {
    const res = await fetch(`${base}/devices/${device}/config?at=${commit}`, { headers: bearer(api.tokens.viewer) });
    assert.equal(res.status, 200);
    return (await res.text()).split("\n");
  };

  before(async () => {
    api = await startApi({
      devices: [{ id: "core-1", group: "fra" }, { id: "edge-2" }, { id: "edge-3", group: "ams" }],
      clock: () => now,
      limits: "  search_timeout: 2s",
    });
    base = `${api.url}/api/v1/tenants/acme`;
    commits.core1a = await importFixture(api, "core-1", V7, "2026-01-10T08:00:00Z");
    commits.edge2 = await importFixture(api, "edge-2", V6_CAPSMAN, "2026-01-10T08:00:00Z");
    commits.edge3 = await importFixture(api, "edge-3", V6_VERBOSE, "2026-01-10T08:00:00Z");
    // A month later core-1 gets telnet turned off.
    now = Date.parse("2026-02-10T08:00:00Z");
    commits.core1b = (await importText(api, "core-1", fixture(V7).replace('set telnet address="" disabled=no', 'set telnet address="" disabled=yes'), "2026-02-10T08:00:00Z")).commit;
    // Tenant `other` holds a core-1 too, with a line found nowhere in acme.
    await importText(api, "core-1", `${fixture(V7)}/system note\nset note="only-in-tenant-other"\n`, "2026-02-10T08:00:00Z", "other");
  });
  after(() => api?.close());

  it("finds a line in every device at latest, with the line number, section and snapshot of each hit", async () => {
    const r = await search(`q=${encodeURIComponent("set telnet ")}`);
    assert.equal(r.status, 200);
    const hits = r.body.hits as Hit[];
    assert.equal(r.body.at, "latest");
    assert.equal(r.body.next, null);
    assert.equal(r.body.truncated, false);
    assert.deepEqual(
      hits.map((h) => [h.device, h.text]),
      [
        ["edge-3", 'set telnet address="" disabled=no port=23'],
        ["edge-2", "set telnet disabled=yes"],
        ["core-1", TELNET_ON_V7.replace("disabled=no", "disabled=yes")],
      ],
    );
    // In git's tree order: ams/edge-3.rsc, edge-2.rsc, fra/core-1.rsc.
    assert.deepEqual(hits.map((h) => h.path), ["ams/edge-3.rsc", "edge-2.rsc", "fra/core-1.rsc"]);
    const expectedCommit: Record<string, string> = { "core-1": commits.core1b!, "edge-2": commits.edge2!, "edge-3": commits.edge3! };
    for (const h of hits) {
      const lines = await archived(h.device, h.commit);
      assert.equal(lines[h.line - 1], h.text, `${h.device}: the line number points at the line`);
      assert.equal(h.section, "/ip service");
      assert.equal(sectionAbove(lines, h.line - 1), "/ip service");
      assert.equal(h.commit, expectedCommit[h.device], `${h.device}: its newest snapshot`);
    }
    assert.equal(r.body.commit, (await getJson(`${api.url}/api/v1/tenants/acme/history?limit=1`, bearer(api.tokens.viewer))).body.entries[0].commit);
  });

  it("searches main as it stood at a date (the newest commit at or before it)", async () => {
    const jan = await search(`q=${encodeURIComponent("set telnet address")}&at=2026-01-20`);
    assert.equal(jan.status, 200);
    const core = (jan.body.hits as Hit[]).find((h) => h.device === "core-1")!;
    assert.equal(core.text, TELNET_ON_V7, "January: telnet still on");
    assert.equal(core.commit, commits.core1a);
    assert.equal((await archived("core-1", core.commit))[core.line - 1], core.text);
    assert.equal(jan.body.at, "2026-01-20");

    const feb = await search(`q=${encodeURIComponent("set telnet address")}&at=2026-02-10T09:00:00%2B00:00`);
    assert.equal((feb.body.hits as Hit[]).find((h) => h.device === "core-1")!.commit, commits.core1b);

    const before = await search(`q=telnet&at=2025-12-31`);
    assert.equal(before.status, 200);
    assert.equal(before.body.commit, null, "nothing was archived then");
    assert.deepEqual(before.body.hits, []);

    for (const bad of ["yesterday", "2026-02-30", "2026-01-10T25:00:00Z", "2026-01-10T10:00:00"]) {
      const r = await search(`q=telnet&at=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400, bad);
      assert.match(r.body.error.message, /^at: /);
    }
  });

  it("pages through every hit with an opaque cursor, each page reading the same snapshot", async () => {
    const q = `q=${encodeURIComponent("add ")}&limit=7`;
    const first = await search(q);
    assert.equal(first.status, 200);
    const snapshot = first.body.commit as string;
    // What git holds for that query, read from the archived files themselves.
    const expected: Array<[string, number]> = [];
    for (const [device, file] of [["edge-3", "ams/edge-3.rsc"], ["edge-2", "edge-2.rsc"], ["core-1", "fra/core-1.rsc"]] as const) {
      const commit = device === "core-1" ? commits.core1b! : device === "edge-2" ? commits.edge2! : commits.edge3!;
      (await archived(device, commit)).forEach((l, i) => l.includes("add ") && expected.push([file, i + 1]));
    }
    assert.ok(expected.length > 30, "enough hits for several pages");
    // A new commit lands between pages: the pages keep reading the snapshot they started on.
    now += 60_000;
    await importText(api, "edge-2", `${fixture(V6_CAPSMAN)}/ip firewall filter\nadd action=drop chain=input comment=late\n`, "2026-02-10T09:00:00Z");
    const got: Array<[string, number]> = [];
    let page = first;
    for (let n = 0; n < 100; n++) {
      assert.ok(page.body.hits.length <= 7);
      assert.equal(page.body.commit, snapshot);
      for (const h of page.body.hits as Hit[]) got.push([h.path, h.line]);
      if (!page.body.next) break;
      assert.match(page.body.next, /^[A-Za-z0-9_-]+$/);
      page = await search(`${q}&cursor=${page.body.next}`);
      assert.equal(page.status, 200);
    }
    assert.deepEqual(got, expected);
  });

  it("refuses a cursor made for another query, or edited", async () => {
    const first = await search("q=add&limit=2");
    const other = await search(`q=set&limit=2&cursor=${first.body.next}`);
    assert.equal(other.status, 400);
    assert.match(other.body.error.message, /^cursor: belongs to another query/);
    const json = JSON.parse(Buffer.from(first.body.next, "base64url").toString("utf8"));
    for (const edit of [{ ...json, c: "0".repeat(40) }, { ...json, p: "../x.rsc" }, { ...json, l: -1 }, { ...json, v: 2 }]) {
      const r = await search(`q=add&limit=2&cursor=${Buffer.from(JSON.stringify(edit)).toString("base64url")}`);
      assert.equal(r.status, 400, JSON.stringify(edit));
      assert.match(r.body.error.message, /^cursor: /);
    }
    assert.equal((await search("q=add&cursor=%25%25")).status, 400);
  });

  it("regex=true is an extended regular expression run by git; hostile and PCRE patterns are refused naming q", async () => {
    const r = await search(`regex=true&q=${encodeURIComponent("^set telnet .*disabled=(yes|no)( |$)")}`);
    assert.equal(r.status, 200);
    assert.deepEqual((r.body.hits as Hit[]).map((h) => h.device).sort(), ["core-1", "edge-2", "edge-3"]);
    // The same text as a fixed string finds nothing: regex characters are plain there.
    assert.deepEqual((await search(`q=${encodeURIComponent("^set telnet")}`)).body.hits, []);
    for (const bad of ["(a+)+$", "\\d+", "(?:telnet)", "(a)\\1", "a".repeat(10 * 1024), "[a-"]) {
      const res = await search(`regex=true&q=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 400, bad.slice(0, 20));
      assert.match(res.body.error.message, /^q: /);
    }
    for (const bad of ["", "regex=maybe&q=x", "q=x&limit=0", "q=x&limit=201", "q=x&group=Bad!", "q=x&history=1&at=2026-01-01"]) {
      const res = await search(bad);
      assert.equal(res.status, 400, bad);
    }
  });

  it("never matches a sealed value's plaintext; the decrypted text would", async () => {
    const plain = await search(`q=${encodeURIComponent(PRIVATE_KEY)}`);
    assert.equal(plain.status, 200);
    assert.deepEqual(plain.body.hits, [], "the plaintext of a sealed value is not in the archive");
    const part = await search(`regex=true&q=${encodeURIComponent("yGQ3FH40WUmz")}`);
    assert.deepEqual(part.body.hits, []);
    // Positive control: the same query on the decrypted file finds it.
    const res = await fetch(`${base}/devices/core-1/config?decrypt=true`, { headers: bearer(api.tokens.admin) });
    assert.equal(res.status, 200);
    const decrypted = await res.text();
    assert.ok(decrypted.includes(PRIVATE_KEY));
    // What is searchable is the sealed form, as archived.
    const sealed = await search(`q=${encodeURIComponent("private-key=age:")}`);
    const line = (sealed.body.hits as Hit[]).find((h) => h.device === "core-1" && h.section === "/interface wireguard");
    assert.ok(line, "the sealed line is found");
    assert.doesNotMatch(JSON.stringify(sealed.body), /yGQ3FH40/);
  });

  it("narrows to a group", async () => {
    const fra = await search("q=telnet&group=fra");
    assert.deepEqual([...new Set((fra.body.hits as Hit[]).map((h) => h.device))], ["core-1"]);
    const none = await search("q=telnet&group=nowhere");
    assert.equal(none.status, 200);
    assert.deepEqual(none.body.hits, []);
  });

  it("history=true tells per device when a matching line appeared and when it went", async () => {
    const r = await search(`history=true&q=${encodeURIComponent('set telnet address="" disabled=no')}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.next, null);
    const byDevice = new Map((r.body.devices as any[]).map((d) => [d.device, d]));
    assert.deepEqual([...byDevice.keys()], ["edge-3", "core-1"], "edge-2 never had the line");
    const core = byDevice.get("core-1");
    assert.equal(core.versions, 2);
    assert.equal(core.spans.length, 1);
    assert.equal(core.spans[0].text, TELNET_ON_V7);
    assert.equal(core.spans[0].section, "/ip service");
    assert.deepEqual(core.spans[0].appeared, { commit: commits.core1a, time: "2026-01-10T08:00:00Z" });
    assert.deepEqual(core.spans[0].disappeared, { commit: commits.core1b, time: "2026-02-10T08:00:00Z" });
    const edge = byDevice.get("edge-3");
    assert.deepEqual(edge.spans[0].appeared, { commit: commits.edge3, time: "2026-01-10T08:00:00Z" });
    assert.equal(edge.spans[0].disappeared, null, "still there");
    // One device per page: the cursor goes on to the next one.
    const p1 = await search(`history=true&limit=1&q=${encodeURIComponent('set telnet address="" disabled=no')}`);
    assert.deepEqual(p1.body.devices.map((d: any) => d.device), ["edge-3"]);
    const p2 = await search(`history=true&limit=1&q=${encodeURIComponent('set telnet address="" disabled=no')}&cursor=${p1.body.next}`);
    assert.deepEqual(p2.body.devices.map((d: any) => d.device), ["core-1"]);
  });

  it("keeps tenants apart: another tenant's token gets the same 404 bytes as a missing device, and its data never shows", async () => {
    const missing = await fetch(`${base}/devices/no-such-device`, { headers: bearer(api.tokens.viewer) });
    const missingBody = await missing.text();
    assert.equal(missing.status, 404);
    assert.equal(missingBody, NOT_FOUND);
    for (const q of ["search?q=telnet", "search?q=telnet&history=true"]) {
      const res = await fetch(`${base}/${q}`, { headers: bearer(api.tokens.other) });
      assert.equal(res.status, 404);
      assert.equal(await res.text(), missingBody);
    }
    const acme = await search("q=only-in-tenant-other");
    assert.deepEqual(acme.body.hits, []);
    const otherOwn = await getJson(`${api.url}/api/v1/tenants/other/search?q=only-in-tenant-other`, bearer(api.tokens.other));
    assert.equal(otherOwn.status, 200);
    assert.deepEqual(otherOwn.body.hits.map((h: Hit) => h.device), ["core-1"]);
    assert.equal((await fetch(`${base}/search?q=x`)).status, 401);
  });

  it("a pattern slow on a hostile line is stopped at the time limit while the service keeps answering", async () => {
    // A device that printed one 60,000-character line: glibc's matcher is quadratic in the line length.
    now += 60_000;
    await importText(api, "edge-2", `${fixture(V6_CAPSMAN)}/system note\nset note="${"a".repeat(60_000)}"\n`, "2026-02-10T10:00:00Z");
    const started = Date.now();
    let searchAnswered = 0;
    const slow = search(`regex=true&q=${encodeURIComponent("[a-z]+z")}`).then((r) => ((searchAnswered = Date.now()), r));
    // While git works, the event loop is free: another request is answered before the search ends.
    const healthAnswered = await until("a health answer while the search runs", 30_000, async () => ((await fetch(`${api.url}/healthz`)).status === 200 ? Date.now() : undefined));
    const r = await slow;
    assert.ok(healthAnswered <= searchAnswered, "the health check did not wait for the search");
    assert.equal(r.status, 504);
    assert.equal(r.body.error.code, "timeout");
    assert.match(r.body.error.message, /longer than 2 s/);
    assert.ok(Date.now() - started < 60_000, "bounded by the time limit, not by the line");
    // The same search narrowed to a group without that device is fast and complete.
    assert.equal((await search(`regex=true&group=fra&q=${encodeURIComponent("[a-z]+z")}`)).status, 200);
  });

  it("audits every search without the query text", async () => {
    await api.audit.flush(); // reads are written by the next group commit
    const entries = await api.audit.list("acme", 1000);
    const searches = entries.filter((e) => e.action === "search.read");
    assert.ok(searches.length > 5);
    for (const e of searches) {
      assert.equal(typeof e.details.q_length, "number");
      assert.ok(!JSON.stringify(e).includes("telnet"), "the query is not in the audit log");
    }
    fsckStrict(path.join(api.dir, "repos/acme.git"));
  });
});
