import assert from "node:assert/strict";
import { checkImportOrder, stateAfterImport } from "../../../src/pipeline/index.js";
import { INITIAL_STATE } from "../../../src/store/index.js";

const device = { tenant: "acme", id: "core-1" };
const t = (s: string) => Date.parse(s);

describe("import: order rule and device state", () => {
  it("refuses an export older than the newest archived version, naming both times and --force", () => {
    const newest = { commit: "a".repeat(40), collectedAtMs: t("2026-03-01T00:00:00Z") };
    assert.throws(
      () => checkImportOrder(device, newest, t("2025-01-02T03:04:05Z"), false),
      (e: any) => e.code === "conflict" && /2025-01-02T03:04:05Z is older than acme\/core-1's newest archived version \(collected 2026-03-01T00:00:00Z, commit aaaaaaaaaaaa\)/.test(e.message) && /--force/.test(e.message) && /current file/.test(e.message),
    );
    assert.doesNotThrow(() => checkImportOrder(device, newest, t("2025-01-02T03:04:05Z"), true));
    assert.doesNotThrow(() => checkImportOrder(device, newest, t("2026-03-01T00:00:00.900Z"), false), "the same second is not older");
    assert.doesNotThrow(() => checkImportOrder(device, newest, t("2026-03-02T00:00:00Z"), false));
    assert.doesNotThrow(() => checkImportOrder(device, null, 0, false));
  });

  it("a never-backed-up device becomes ok with the import's time and commit; failing and blocked stay", () => {
    const commit = "c".repeat(40);
    const s = stateAfterImport(INITIAL_STATE, { collectedAtMs: t("2025-01-02T03:04:05Z"), commit, version: "7.16.2", changed: { commit, collectedAtMs: t("2025-01-02T03:04:05Z") } });
    assert.equal(s.status, "ok");
    assert.equal(s.last_success, "2025-01-02T03:04:05Z");
    assert.equal(s.last_change, "2025-01-02T03:04:05Z");
    assert.equal(s.last_change_commit, commit);
    assert.equal(s.routeros_version, "7.16.2");
    assert.equal(s.last_attempt, null, "rosarchive has not contacted the device");

    const live = { ...INITIAL_STATE, status: "failing" as const, last_success: "2026-05-01T00:00:00Z", routeros_version: "7.18.2" };
    const older = stateAfterImport(live, { collectedAtMs: t("2025-01-02T03:04:05Z"), commit, version: "7.16.2", changed: { commit, collectedAtMs: t("2025-01-02T03:04:05Z") } });
    assert.equal(older.status, "failing");
    assert.equal(older.last_success, "2026-05-01T00:00:00Z", "never moved back");
    assert.equal(older.routeros_version, "7.18.2", "an older import does not replace the known version");
    assert.equal(older.last_change_commit, commit);
  });
});
