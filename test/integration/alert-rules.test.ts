import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { METRIC_NAMES } from "../../src/observe/index.js";
import { REPO_ROOT } from "../helpers/tmp.js";

const PROMTOOL = "/usr/bin/promtool";
const DIR = path.join(REPO_ROOT, "deploy/prometheus");

/** rosarchive_ metric names an expression or series selector uses (histogram suffixes stripped). */
function metricsIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\brosarchive_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, "")))];
}

describe("alert rules: deploy/prometheus/alerts.yml", function () {
  this.timeout(60_000);
  before(() => {
    assert.ok(existsSync(PROMTOOL), "promtool is not installed at /usr/bin/promtool (Debian package prometheus; .ci/run installs it)");
  });

  it("pass promtool check rules", () => {
    const r = spawnSync(PROMTOOL, ["check", "rules", "alerts.yml"], { cwd: DIR, encoding: "utf8" });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS: \d+ rules found/);
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, /WARNING/);
  });

  it("behave as intended on synthetic series (promtool test rules alerts.test.yml)", () => {
    const r = spawnSync(PROMTOOL, ["test", "rules", "alerts.test.yml"], { cwd: DIR, encoding: "utf8" });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /SUCCESS/);
  });

  it("cover the failures an operator must hear about, each with a test, using only metrics the service exports", () => {
    const rules = (parse(readFileSync(path.join(DIR, "alerts.yml"), "utf8")) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((g) => g.rules);
    const names = rules.map((r) => r.alert);
    for (const want of ["RosarchiveBackupStale", "RosarchiveDevicesBlocked", "RosarchiveWebhookOutboxGrowing", "RosarchiveWebhookDeadLetters", "RosarchiveHookFailures", "RosarchiveSchedulerBehind"]) {
      assert.ok(names.includes(want), `${want} is in alerts.yml`);
    }
    const tests = readFileSync(path.join(DIR, "alerts.test.yml"), "utf8");
    for (const n of names) assert.match(tests, new RegExp(`alertname: ${n}\\n`), `${n} has a test in alerts.test.yml`);
    const used = [...metricsIn(rules.map((r) => r.expr).join("\n")), ...metricsIn(tests)];
    assert.deepEqual(used.filter((m) => !(METRIC_NAMES as readonly string[]).includes(m)), [], "every metric the rules and their tests use is one the service exports");
  });
});
