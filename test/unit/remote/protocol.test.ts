import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { decodeMessage, encodeMessage, jobMac, jobSchema, snapshotSchema, verifyJobMac } from "../../../src/remote/index.js";

const job = {
  v: 1,
  job: "0b7d3c9e-1f2a-4c5b-9d8e-7f6a5b4c3d2e",
  tenant: "acme",
  device: "core-1",
  site: "fra-dc",
  host: "10.0.0.1",
  port: 22,
  trigger: "scheduled",
  pinned_fingerprint: null,
  known_version: "7.16.2",
  blocked_credentials: null,
  previous_index: { ["a".repeat(64)]: "age:YWdlLWVuY3J5cHRpb24ub3JnL3Yx" },
  sensitive: null,
  issued_at: 1_700_000_000_000,
  deadline: 1_700_000_900_000,
  mac: "f".repeat(64),
};

describe("remote: protocol messages", () => {
  it("round-trips a job through gzip and the schema", async () => {
    const r = await decodeMessage(jobSchema, await encodeMessage(job), 1 << 20);
    assert.deepEqual(r, { ok: true, value: job });
  });

  it("refuses unknown keys, bad ids, a site with a dot and a plaintext-looking index value", async () => {
    for (const bad of [{ ...job, extra: 1 }, { ...job, tenant: "../x" }, { ...job, site: "fra.dc" }, { ...job, previous_index: { ["a".repeat(64)]: "hunter2" } }]) {
      const r = await decodeMessage(jobSchema, await encodeMessage(bad), 1 << 20);
      assert.equal(r.ok, false, JSON.stringify(bad).slice(0, 80));
    }
  });

  it("refuses what is not gzipped JSON and what inflates past the limit, without echoing it", async () => {
    const r1 = await decodeMessage(snapshotSchema, new TextEncoder().encode("hunter2"), 1 << 20);
    assert.deepEqual(r1, { ok: false, reason: "not gzipped JSON" });
    const big = gzipSync(Buffer.alloc(2 << 20, 0x20));
    const r2 = await decodeMessage(snapshotSchema, big, 1 << 20);
    assert.equal(r2.ok, false);
    assert.doesNotMatch(JSON.stringify(r2), /hunter2/);
  });

  it("a job's MAC binds its id, tenant, device, site, trigger and time to the core's key", () => {
    const key = new Uint8Array(32).fill(1);
    const id = { job: job.job, tenant: "acme", device: "core-1", site: "fra-dc", trigger: "scheduled", issued_at: 1 };
    const mac = jobMac(key, id);
    assert.ok(verifyJobMac(key, id, mac));
    for (const other of [{ ...id, device: "core-2" }, { ...id, site: "ams" }, { ...id, tenant: "other" }, { ...id, issued_at: 2 }, { ...id, trigger: "manual" }]) assert.equal(verifyJobMac(key, other, mac), false);
    assert.equal(verifyJobMac(new Uint8Array(32).fill(2), id, mac), false, "another key");
    assert.equal(verifyJobMac(key, id, "0".repeat(64)), false);
  });
});
