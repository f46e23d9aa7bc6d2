import assert from "node:assert/strict";
import { HandshakeGate } from "../../../src/collect/index.js";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A handshake that runs until `done()` is called, noting that it started. */
function held(started: string[], name: string): { run: () => Promise<string>; done: () => void } {
  let done = () => {};
  const finished = new Promise<void>((r) => (done = r));
  return {
    run: async () => {
      started.push(name);
      await finished;
      return name;
    },
    done: () => done(),
  };
}

describe("collect: handshake gate", () => {
  it("runs at most `width` handshakes at once while they finish in time, the rest as each ends", async () => {
    const gate = new HandshakeGate(2, 60_000);
    const started: string[] = [];
    const hs = ["a", "b", "c", "d"].map((n) => held(started, n));
    const results = hs.map((h) => gate.run(h.run));
    await tick(20);
    assert.deepEqual(started, ["a", "b"]);
    hs[0]!.done();
    await tick(20);
    assert.deepEqual(started, ["a", "b", "c"]);
    for (const h of hs) h.done();
    assert.deepEqual(await Promise.all(results), ["a", "b", "c", "d"]);
  });

  it("never holds a connection longer than its wait: over a slow link every handshake starts", async () => {
    const gate = new HandshakeGate(1, 30);
    const started: string[] = [];
    const first = held(started, "slow");
    const second = held(started, "next");
    const a = gate.run(first.run);
    const b = gate.run(second.run);
    // The first never finishes until the second has started: only the wait can let it in.
    for (let i = 0; i < 500 && started.length < 2; i++) await tick(10);
    assert.deepEqual(started, ["slow", "next"]);
    first.done();
    second.done();
    assert.deepEqual(await Promise.all([a, b]), ["slow", "next"]);
  });

  it("a failed handshake gives its room back", async () => {
    const gate = new HandshakeGate(1, 60_000);
    await assert.rejects(gate.run(() => Promise.reject(new Error("refused"))), /refused/);
    const started: string[] = [];
    const h = held(started, "after");
    const r = gate.run(h.run);
    await tick(10);
    assert.deepEqual(started, ["after"]);
    h.done();
    assert.equal(await r, "after");
  });
});
