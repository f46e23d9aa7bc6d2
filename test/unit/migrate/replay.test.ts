import assert from "node:assert/strict";
import { RosarchiveError } from "../../../src/common/index.js";
import { mapNodes, replay, type Extracted, type LastImported, type NodeFile, type ReplayDeps } from "../../../src/migrate/index.js";

type D = { id: string; host: string; group: string | null };
const devices: D[] = [{ id: "r1", host: "h1", group: null }, { id: "r2", host: "h2", group: null }];
/** Each version's "stored bytes" are its text; "bad:..." extracts to a skip, "invalid" fails in the archive path. */
const nodeOf = (name: string, texts: Array<[number, string]>): NodeFile => ({
  file: { repo: "x", path: name, versions: texts.map(([time, text], seq) => ({ commit: `${name}-${seq}`, time, blob: text, seq })) },
  node: { name, group: null },
});

function fakeDeps(archived: Record<string, number | null> = {}) {
  const submitted: Array<[string, string, number]> = [];
  const finished: Array<[string, LastImported]> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const deps: ReplayDeps<D> = {
    concurrency: 4,
    newestArchivedMs: async (d) => archived[d.id] ?? null,
    read: async (_f, v) => Buffer.from(v.blob),
    extract: (b): Extracted => {
      const t = b.toString();
      return t.startsWith("bad:") ? { ok: false, reason: "error_output", detail: "an error line" } : { ok: true, text: t, version: "7.16.2" };
    },
    submit: async (d, text, at) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      if (text === "invalid") throw new RosarchiveError("invalid_output", "after normalization the export holds no menu line");
      submitted.push([d.id, text, at]);
      return { changed: true, commit: `${d.id}@${at}`, version: "7.16.2" };
    },
    finish: async (d, last) => {
      finished.push([d.id, last]);
    },
  };
  return { deps, submitted, finished, maxInFlight: () => maxInFlight };
}

describe("migrate: replaying versions in order", () => {
  it("replays oldest first per device, time-ordered across devices, skipping errors and unchanged exports", async () => {
    const { plans } = mapNodes(
      [
        nodeOf("r1", [[30, "a"], [10, "z"], [40, "a"], [50, "bad:x"], [60, "b"], [70, "invalid"]]),
        nodeOf("r2", [[20, "p"], [35, "q"]]),
      ],
      devices,
    );
    const f = fakeDeps();
    const r = await replay(plans, { ...f.deps, concurrency: 1 });
    assert.deepEqual(f.submitted, [["r1", "z", 10000], ["r2", "p", 20000], ["r1", "a", 30000], ["r2", "q", 35000], ["r1", "b", 60000]]);
    assert.deepEqual(r.devices.map((d) => [d.device, d.committed, d.unchanged, d.not_newer, d.skipped]), [["r1", 3, 1, 0, 2], ["r2", 2, 0, 0, 0]]);
    assert.deepEqual(r.skipped.map((s) => [s.device, s.reason, s.versions, s.first_commit]), [["r1", "error_output", 1, "r1-3"], ["r1", "invalid_output", 1, "r1-5"]]);
    assert.deepEqual(f.finished.find(([d]) => d === "r1")![1], { collectedAtMs: 60000, commit: "r1@60000", version: "7.16.2", changed: { commit: "r1@60000", collectedAtMs: 60000 } });
  });

  it("nothing at or before the device's newest archived Collected-At is read or submitted", async () => {
    const { plans } = mapNodes([nodeOf("r1", [[10, "a"], [20, "b"], [30, "c"]]), nodeOf("r2", [[10, "p"]])], devices);
    const f = fakeDeps({ r1: 20_000, r2: 10_000 });
    const r = await replay(plans, f.deps);
    assert.deepEqual(f.submitted, [["r1", "c", 30000]]);
    assert.deepEqual(r.devices.map((d) => [d.device, d.committed, d.not_newer]), [["r1", 1, 2], ["r2", 0, 1]]);
    assert.deepEqual(f.finished.map(([d]) => d), ["r1"], "a device with nothing new keeps its state");
  });

  it("runs devices side by side but never two versions of one device at once, and stops on an archive failure", async () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ id: `d${i}`, host: `h${i}`, group: null }));
    const { plans } = mapNodes(many.map((d) => nodeOf(d.id, [[1, "a"], [2, "b"], [3, "c"]])), many);
    const f = fakeDeps();
    const perDevice = new Map<string, number>();
    const r = await replay(plans, {
      ...f.deps,
      submit: async (d, text, at) => {
        perDevice.set(d.id, (perDevice.get(d.id) ?? 0) + 1);
        assert.equal(perDevice.get(d.id), 1, "two versions of one device in flight");
        try {
          return await f.deps.submit(d, text, at);
        } finally {
          perDevice.set(d.id, perDevice.get(d.id)! - 1);
        }
      },
    });
    assert.equal(r.devices.reduce((n, d) => n + d.committed, 0), 24);
    assert.ok(f.maxInFlight() > 1 && f.maxInFlight() <= 4, `in flight: ${f.maxInFlight()}`);
    for (const d of many) assert.deepEqual(f.submitted.filter(([id]) => id === d.id).map(([, t]) => t), ["a", "b", "c"]);

    const broken = fakeDeps();
    await assert.rejects(
      replay(plans, { ...broken.deps, submit: async () => { throw new RosarchiveError("error", "git pack failed"); } }),
      /git pack failed/,
    );
  });
});
