import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../../src/config/index.js";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const config = (tenantExtra: string, top = "") => `
encryption:
  recipients: [${RECIPIENT}]
${top}
tenants:
  acme:
${tenantExtra}
    devices:
      - { id: core-1, host: 10.0.0.1, group: fra }
`;

function problems(text: string, baseDir = "/etc/rosarchive"): string[] {
  try {
    loadConfig(text, { baseDir });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail("config was accepted");
}

describe("config: policy checks, policy_file and compare ignore rules", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), "rosarchive-policy-config-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads checks from the config and from policy_file, in that order, with their scope and section", () => {
    writeFileSync(path.join(dir, "policy.yaml"), "- { name: ssh-strong-crypto, severity: warning, section: /ip ssh, must_contain: ['strong-crypto=yes'] }\n");
    const c = loadConfig(
      config("    policy_file: policy.yaml\n    policy:\n      - { name: telnet-off, severity: critical, scope: { groups: [fra], devices: ['core-*'] }, section: /ip service, must_contain: ['^set telnet .*disabled=yes'] }"),
      { baseDir: dir },
    );
    const checks = c.tenants.get("acme")!.policy;
    assert.deepEqual(
      checks.map((x) => [x.name, x.severity, x.section, x.mustContain, x.mustNotContain, x.scope]),
      [
        ["telnet-off", "critical", "/ip service", ["^set telnet .*disabled=yes"], [], { groups: ["fra"], sites: null, devices: ["core-*"] }],
        ["ssh-strong-crypto", "warning", "/ip ssh", ["strong-crypto=yes"], [], { groups: null, sites: null, devices: null }],
      ],
    );
    assert.match(checks[0]!.fingerprint, /^[0-9a-f]{16}$/);
  });

  it("a check's fingerprint follows what decides pass or fail, not its severity or scope", () => {
    const fp = (check: string) => loadConfig(config(`    policy:\n      - ${check}`), { baseDir: dir }).tenants.get("acme")!.policy[0]!.fingerprint;
    const a = fp("{ name: x, severity: info, must_contain: ['a'] }");
    assert.equal(fp("{ name: x, severity: critical, scope: { groups: [fra] }, must_contain: ['a'] }"), a);
    assert.notEqual(fp("{ name: x, severity: info, must_contain: ['b'] }"), a);
    assert.notEqual(fp("{ name: x, severity: info, section: /ip ssh, must_contain: ['a'] }"), a);
  });

  it("names the key path of every bad check, in the config and in the file", () => {
    const got = problems(config("    policy:\n      - { name: no-patterns, severity: info }\n      - { name: pcre, severity: info, must_not_contain: ['\\d+'] }\n      - { name: ok-one, severity: info, section: 'ip service', must_contain: ['x'] }"), dir);
    const has = (re: RegExp, list = got) => assert.ok(list.some((p) => re.test(p)), `${re} in:\n${list.join("\n")}`);
    has(/^tenants\.acme\.policy\[0\]: needs must_contain or must_not_contain/);
    has(/^tenants\.acme\.policy\[1\]\.must_not_contain\[0\]: the pattern .*PCRE/);
    has(/^tenants\.acme\.policy\[2\]\.section: must be a menu path/);
    // The file is read once the config itself is valid.
    writeFileSync(path.join(dir, "bad.yaml"), "- { name: ok-one, severity: info, must_contain: ['a'] }\n- { name: Bad Name, severity: severe, must_contain: ['(a+)+$'], colour: red }\n");
    const inFile = problems(config("    policy_file: bad.yaml"), dir);
    const hasInFile = (re: RegExp) => has(re, inFile);
    hasInFile(/^tenants\.acme\.policy_file\[1\]\.name: must match .*\(in .*bad\.yaml\)$/);
    hasInFile(/^tenants\.acme\.policy_file\[1\]\.severity: must be info, warning or critical/);
    hasInFile(/^tenants\.acme\.policy_file\[1\]\.must_contain\[0\]: the pattern .*repeated group/);
    hasInFile(/^tenants\.acme\.policy_file\[1\]\.colour: unknown key/);
  });

  it("refuses a duplicate check name and an unreadable or invalid policy_file", () => {
    writeFileSync(path.join(dir, "dup.yaml"), "- { name: telnet-off, severity: info, must_contain: ['a'] }\n");
    const dup = problems(config("    policy_file: dup.yaml\n    policy:\n      - { name: telnet-off, severity: info, must_contain: ['b'] }"), dir);
    assert.ok(dup.some((p) => /^tenants\.acme\.policy_file\[0\]\.name: duplicate check name "telnet-off" \(also tenants\.acme\.policy\[0\]\)/.test(p)), dup.join("\n"));
    const missing = problems(config("    policy_file: nowhere.yaml"), dir);
    assert.match(missing[0]!, /^tenants\.acme\.policy_file: cannot read .*nowhere\.yaml: ENOENT/);
    writeFileSync(path.join(dir, "broken.yaml"), "- { name: a\n");
    assert.match(problems(config("    policy_file: broken.yaml"), dir)[0]!, /^tenants\.acme\.policy_file: .*broken\.yaml: /);
    writeFileSync(path.join(dir, "map.yaml"), "name: a\n");
    assert.match(problems(config("    policy_file: map.yaml"), dir)[0]!, /^tenants\.acme\.policy_file: .*array/i);
  });

  it("compare ignore rules: the global list then the tenant's, as patterns or { pattern, section }", () => {
    const c = loadConfig(config("    compare:\n      ignore:\n        - { section: /system identity, pattern: '^set name=' }", "compare:\n  ignore: ['^# ']"), { baseDir: dir });
    assert.deepEqual(c.tenants.get("acme")!.compareIgnore, [
      { pattern: "^# ", section: null },
      { pattern: "^set name=", section: "/system identity" },
    ]);
    const bad = problems(config("    compare:\n      ignore:\n        - { pattern: '(?i)x' }\n        - 42"));
    assert.ok(bad.some((p) => p.startsWith("tenants.acme.compare.ignore[0]")), bad.join("\n"));
    assert.ok(bad.some((p) => p.startsWith("tenants.acme.compare.ignore[1]")), bad.join("\n"));
  });

  it("limits.search_timeout: 10 s unless set", () => {
    assert.equal(loadConfig(config(""), { baseDir: dir }).limits.searchTimeoutMs, 10_000);
    assert.equal(loadConfig(config("", "limits: { search_timeout: 3s }"), { baseDir: dir }).limits.searchTimeoutMs, 3000);
  });
});
