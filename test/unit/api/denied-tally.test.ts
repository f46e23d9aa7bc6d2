import assert from "node:assert/strict";
import { DeniedTally } from "../../../src/api/denied-tally.js";
import type { Config } from "../../../src/config/index.js";
import { silentLogger } from "../../../src/observe/index.js";
import { AuditLog } from "../../../src/store/index.js";
import { tempDir } from "../../helpers/tmp.js";

const config = { tenants: new Map([["acme", {}]]), limits: { authDeniedIntervalMs: 60_000 } } as unknown as Config;
const denial = (tenant: string, source: string, reason = "invalid token") => ({ tenant, source, actor: null, role: null, reason, method: "GET", path: "/api/v1/tenants/x/devices" });

describe("api: denied requests, tallied", () => {
  it("one entry per tenant and source with the count and reasons; tenants not configured are counted, then dropped", async () => {
    const audit = new AuditLog(tempDir());
    let t = Date.parse("2026-01-01T00:00:00Z");
    const tally = new DeniedTally({ audit, config: () => config, log: silentLogger(), clock: () => (t += 1000) });
    for (let i = 0; i < 5; i++) tally.add(denial("acme", "203.0.113.9"));
    tally.add(denial("acme", "203.0.113.9", "no token"));
    tally.add(denial("acme", "198.51.100.7"));
    for (let i = 0; i < 50; i++) tally.add(denial(`nope-${i}`, "203.0.113.9"));
    assert.deepEqual(await audit.list("acme", 10), [], "nothing written until the flush");
    await tally.flush();
    const entries = await audit.list("acme", 10);
    assert.equal(entries.length, 2);
    const big = entries.find((e) => e.ip === "203.0.113.9")!;
    assert.deepEqual([big.action, big.actor, big.details.count, big.details.reasons], ["auth.denied", null, 6, { "invalid token": 5, "no token": 1 }]);
    assert.deepEqual(big.details.paths, ["GET /api/v1/tenants/x/devices"]);
    assert.equal((await audit.verify("acme")).ok, true);
    await tally.flush();
    assert.equal((await audit.list("acme", 10)).length, 2, "an empty interval writes nothing");
  });

  it("past the limit of distinct sources per interval, the rest of a tenant's denials go into one entry", async () => {
    const audit = new AuditLog(tempDir());
    const tally = new DeniedTally({ audit, config: () => config, log: silentLogger() });
    for (let i = 0; i < 10_500; i++) tally.add(denial("acme", `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
    await tally.flush();
    const entries = await audit.list("acme", 20_000);
    assert.equal(entries.length, 10_001);
    assert.equal(entries.reduce((n, e) => n + Number(e.details.count), 0), 10_500, "every denial counted");
    const many = entries.filter((e) => e.ip === null);
    assert.equal(many.length, 1);
    assert.equal(many[0]!.details.count, 500);
  });
});
