import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { bearer, getJson, importText, startApi, type ApiServer } from "../helpers/api.js";
import { git } from "../helpers/git.js";
import { FIXTURES } from "../helpers/tmp.js";

const V7 = readFileSync(path.join(FIXTURES, "v7.17.2-chr-verbose-sensitive.rsc"), "utf8");
const NOT_FOUND = '{"error":{"code":"not_found","message":"not found"}}';

/** One twin of a pair: its own name, its own addresses (in /ip address and in the DHCP network), its own note. */
function twin(n: number, telnetOff = false): string {
  let t = V7.replace("set name=MikroTik", `set name=edge-${n}`)
    .replaceAll("192.168.11.", `192.168.${n}.`)
    .replace("172.16.1.1/16", `172.16.${n}.1/16`);
  if (telnetOff) t = t.replace('set telnet address="" disabled=no', 'set telnet address="" disabled=yes');
  return `${t}/system note\nset note="twin ${n}"\n`;
}

/** Lines of a diff that add or remove (not the ---/+++ header lines). */
const changes = (diff: string) => diff.split("\n").filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l));

/** Lines a rule set leaves out, counted independently: the line's menu (the last /menu line above it) and a plain prefix test. */
function ignoredIn(text: string): number {
  let section = "";
  let n = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("/")) {
      section = line;
      continue;
    }
    if ((section === "/system identity" && line.startsWith("set name=")) || (section === "/ip address" && line.startsWith("add address=")) || (section === "/system note" && line.startsWith("set note="))) n++;
  }
  return n;
}

describe("compare: two devices (or two versions) side by side, with the tenant's ignore rules", function () {
  this.timeout(60_000);
  let api: ApiServer;
  let base: string;
  const c: Record<string, string> = {};

  const compare = (query: string, headers: Record<string, string> = {}, token = api.tokens.viewer) => fetch(`${base}/compare?${query}`, { headers: { ...bearer(token), ...headers } });
  const archived = async (device: string, commit: string) => (await fetch(`${base}/devices/${device}/config?at=${commit}`, { headers: bearer(api.tokens.viewer) })).text();

  before(async () => {
    api = await startApi({
      devices: [{ id: "edge-7", group: "fra" }, { id: "edge-8", group: "fra" }, { id: "edge-9" }],
      // A global rule (every tenant) and the tenant's own, each within one section.
      top: "compare:\n  ignore:\n    - { section: /system note, pattern: '^set note=' }",
      acme: "    compare:\n      ignore:\n        - { section: /system identity, pattern: '^set name=' }\n        - { section: /ip address, pattern: '^add address=' }",
    });
    base = `${api.url}/api/v1/tenants/acme`;
    c.edge7old = (await importText(api, "edge-7", V7, "2026-03-01T00:00:00Z")).commit;
    c.edge7 = (await importText(api, "edge-7", twin(7), "2026-03-02T00:00:00Z")).commit;
    c.edge8 = (await importText(api, "edge-8", twin(8, true), "2026-03-02T00:00:00Z")).commit;
    await importText(api, "core-1", twin(5), "2026-03-02T00:00:00Z", "other");
  });
  after(() => api?.close());

  it("twins compare cleanly: only the real difference is left, and the answer says how much was ignored", async () => {
    const res = await compare("a=edge-7&b=edge-8");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/x-diff/);
    const diff = await res.text();
    // Left: the real difference (telnet), and each twin's own addresses where no rule names the section
    // (the pool, the DHCP network): a rule leaves lines out only in its own section.
    assert.deepEqual(changes(diff), [
      "-add name=inside-pool ranges=192.168.7.200-192.168.7.249",
      "+add name=inside-pool ranges=192.168.8.200-192.168.8.249",
      '-add address=192.168.7.0/24 caps-manager="" comment=inside-dhcp-net dhcp-option="" dns-server=192.168.7.1,8.8.8.8 gateway=192.168.7.1 netmask=24 !next-server ntp-server="" wins-server=""',
      '+add address=192.168.8.0/24 caps-manager="" comment=inside-dhcp-net dhcp-option="" dns-server=192.168.8.1,8.8.8.8 gateway=192.168.8.1 netmask=24 !next-server ntp-server="" wins-server=""',
      '-set telnet address="" disabled=no max-sessions=20 port=23 vrf=main',
      '+set telnet address="" disabled=yes max-sessions=20 port=23 vrf=main',
    ]);
    assert.match(diff, /^diff --git a\/fra\/edge-7\.rsc b\/fra\/edge-8\.rsc\n/);
    assert.match(diff, /^--- a\/fra\/edge-7\.rsc$/m);
    assert.match(diff, /^\+\+\+ b\/fra\/edge-8\.rsc$/m);
    const [a, b] = [await archived("edge-7", c.edge7!), await archived("edge-8", c.edge8!)];
    assert.equal(res.headers.get("x-rosarchive-ignored"), `a=${ignoredIn(a)}, b=${ignoredIn(b)}`);
    assert.equal(ignoredIn(a), 5, "the name, two addresses, the fixture's note and the twin's");
    // Sealed values: each device's are sealed for it, so their ciphertexts differ; masked on both sides.
    const sealedValues = (a.match(/=age:/g) ?? []).length;
    assert.ok(sealedValues > 3);
    assert.equal(res.headers.get("x-rosarchive-sealed-masked"), `a=${sealedValues}, b=${(b.match(/=age:/g) ?? []).length}`);
    assert.doesNotMatch(diff, /age:[A-Za-z0-9_-]{16,}/, "no ciphertext in a masked compare");
    assert.equal(res.headers.get("x-rosarchive-a"), `edge-7@${c.edge7}`);
    assert.equal(res.headers.get("x-rosarchive-b"), `edge-8@${c.edge8}`);
  });

  it("a rule only leaves out lines in its own section", async () => {
    // The DHCP network line holds each twin's own address, but in /ip dhcp-server network, which no rule names.
    const json = await getJson(`${base}/compare?a=edge-7&b=edge-8`, { ...bearer(api.tokens.viewer), accept: "application/json" });
    const sections = (json.body.sections as any[]).map((s) => s.section);
    assert.ok(sections.includes("/ip dhcp-server network"), `sections: ${sections.join(", ")}`);
  });

  it("the JSON form lists the changes by section, with both sides' commits and the counts of ignored lines", async () => {
    const r = await getJson(`${base}/compare?a=edge-7&b=edge-8`, { ...bearer(api.tokens.viewer), accept: "application/json" });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.a, { device: "edge-7", commit: c.edge7, path: "fra/edge-7.rsc" });
    assert.deepEqual(r.body.b, { device: "edge-8", commit: c.edge8, path: "fra/edge-8.rsc" });
    assert.deepEqual(r.body.ignored, { a: 5, b: 5, rules: 3 });
    assert.ok(r.body.sealed_masked.a > 3 && r.body.sealed_masked.a === r.body.sealed_masked.b);
    const service = (r.body.sections as any[]).find((s) => s.section === "/ip service");
    assert.deepEqual(service.removed, ['set telnet address="" disabled=no max-sessions=20 port=23 vrf=main']);
    assert.deepEqual(service.added, ['set telnet address="" disabled=yes max-sessions=20 port=23 vrf=main']);
    assert.ok(!(r.body.sections as any[]).some((s) => s.section === "/system identity" || s.section === "/ip address" || s.section === "/system note"));
  });

  it("ignore=false shows everything, byte for byte as stock git diff prints it", async () => {
    const res = await compare("a=edge-7&b=edge-8&ignore=false");
    assert.equal(res.status, 200);
    const diff = await res.text();
    assert.equal(res.headers.get("x-rosarchive-ignored"), "a=0, b=0");
    assert.equal(res.headers.get("x-rosarchive-sealed-masked"), "a=0, b=0");
    const gitDir = path.join(api.dir, "repos/acme.git");
    assert.equal(diff, git(gitDir, ["diff", `${c.edge7}:fra/edge-7.rsc`, `${c.edge8}:fra/edge-8.rsc`]));
    assert.ok(changes(diff).includes("-set name=edge-7") && changes(diff).includes("+set name=edge-8"));
  });

  it("takes a commit per side: the device's own snapshots only", async () => {
    const versions = await compare(`a=edge-7@${c.edge7old}&b=edge-7@${c.edge7}&ignore=false`);
    assert.equal(versions.status, 200);
    assert.ok(changes(await versions.text()).includes("+set name=edge-7"));
    // One device's two versions: its unchanged secrets kept their ciphertext, so nothing is masked and none differs.
    const same = await compare(`a=edge-7@${c.edge7old}&b=edge-7@${c.edge7}`);
    assert.equal(same.headers.get("x-rosarchive-sealed-masked"), "a=0, b=0");
    assert.ok(!changes(await same.text()).some((l) => l.includes("age:")));
    const short = await compare(`a=edge-7@${c.edge7old!.slice(0, 10)}&b=edge-7`, { accept: "application/json" });
    assert.equal(short.status, 200);
    assert.equal(((await short.json()) as any).a.commit, c.edge7old);

    const foreign = await getJson(`${base}/compare?a=edge-7@${c.edge8}&b=edge-8`, bearer(api.tokens.viewer));
    assert.equal(foreign.status, 404, "another device's commit is not one of edge-7's snapshots");
    assert.match(foreign.body.error.message, /no snapshot of edge-7/);
    const unknown = await getJson(`${base}/compare?a=edge-7@${"ab".repeat(20)}&b=edge-8`, bearer(api.tokens.viewer));
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /^a: no such commit/);
    for (const [q, param] of [["b=edge-8", "a"], ["a=edge-7", "b"], ["a=edge-7&b=edge-8@zz", "b"], ["a=edge-7@&b=edge-8", "a"], ["a=edge-7&b=edge-8&ignore=perhaps", "ignore"]] as const) {
      const r = await getJson(`${base}/compare?${q}`, bearer(api.tokens.viewer));
      assert.equal(r.status, 400, q);
      assert.match(r.body.error.message, new RegExp(`^${param}: `), q);
    }
    const never = await getJson(`${base}/compare?a=edge-7&b=edge-9`, bearer(api.tokens.viewer));
    assert.equal(never.status, 404);
    assert.match(never.body.error.message, /no snapshot of edge-9 yet/);
  });

  it("an unknown device, or another tenant's token, gets the same 404 bytes as a missing device", async () => {
    const missing = await (await fetch(`${base}/devices/nope`, { headers: bearer(api.tokens.viewer) })).text();
    assert.equal(missing, NOT_FOUND);
    for (const [q, token] of [["a=nope&b=edge-8", api.tokens.viewer], ["a=edge-7&b=nope", api.tokens.viewer], ["a=edge-7&b=edge-8", api.tokens.other]] as const) {
      const res = await compare(q, {}, token);
      assert.equal(res.status, 404, q);
      assert.equal(await res.text(), missing, q);
    }
    // Tenant other compares its own devices only: acme's are unknown there.
    const own = await getJson(`${api.url}/api/v1/tenants/other/compare?a=core-1&b=core-1`, { ...bearer(api.tokens.other), accept: "application/json" });
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.stats, { added: 0, removed: 0 });
    const res = await fetch(`${api.url}/api/v1/tenants/other/compare?a=core-1&b=edge-7`, { headers: bearer(api.tokens.other) });
    assert.equal(res.status, 404);
    assert.equal(await res.text(), missing);
  });

  it("is audited", async () => {
    await api.audit.flush(); // reads are written by the next group commit
    const e = (await api.audit.list("acme", 1000)).find((x) => x.action === "compare.read");
    assert.ok(e);
    assert.equal(e.device, "edge-7");
  });
});
