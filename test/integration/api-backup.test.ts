import assert from "node:assert/strict";
import { bearer, startApi, type ApiServer } from "../helpers/api.js";
import { startDevices, TEST_PASSWORD } from "../helpers/simulator.js";
import type { Simulator } from "../../src/simulator/index.js";

describe("api: manual backup of a reachable device", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let api: ApiServer;

  before(async () => {
    sim = await startDevices(1);
    api = await startApi({ devices: [{ id: "dev-0", port: sim.devices.get("dev-0")!.port, extra: `password: "${TEST_PASSWORD}"` }] });
  });
  after(async () => {
    await api.close();
    await sim.stop();
  });

  it("201 with the new commit, then 200 unchanged with the same commit; state and audit follow", async () => {
    const url = `${api.url}/api/v1/tenants/acme/devices/dev-0/backup`;
    const first = await fetch(url, { method: "POST", headers: bearer(api.tokens.operator) });
    const a = (await first.json()) as any;
    assert.equal(first.status, 201, JSON.stringify(a));
    assert.equal(a.changed, true);
    assert.match(a.commit, /^[0-9a-f]{40}$/);
    const second = await fetch(url, { method: "POST", headers: bearer(api.tokens.operator) });
    assert.equal(second.status, 200);
    assert.deepEqual(await second.json(), { changed: false, commit: a.commit });

    const dev = (await (await fetch(`${api.url}/api/v1/tenants/acme/devices/dev-0`, { headers: bearer(api.tokens.viewer) })).json()) as any;
    assert.equal(dev.status, "ok");
    assert.equal(dev.last_change_commit, a.commit);
    assert.equal(dev.routeros_version, "7.17.2");
    assert.equal(dev.host_key, sim.devices.get("dev-0")!.hostKeyFingerprint);

    const hist = (await (await fetch(`${api.url}/api/v1/tenants/acme/devices/dev-0/history`, { headers: bearer(api.tokens.viewer) })).json()) as any;
    assert.equal(hist.entries.length, 1);
    assert.equal(hist.entries[0].trigger, "manual");

    const audit = await api.audit.list("acme", 10);
    const manual = audit.filter((e) => e.action === "backup.manual");
    assert.equal(manual.length, 2);
    assert.equal(manual[0]!.actor, "operator-token");
    assert.deepEqual(manual[1]!.details, { commit: a.commit, result: "changed" });
  });
});
