import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { normalize } from "../../src/normalize/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { cli, keygen, writeConfig } from "../helpers/cli.js";
import { allObjects, commitCount, fsckStrict, git } from "../helpers/git.js";
import { distinctive, sensitiveTokens, sensitiveValues } from "../helpers/secrets.js";
import { filesUnder, FIXTURES, tempDir } from "../helpers/tmp.js";

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".rsc") && !f.endsWith(".normalized.rsc")).sort();
const deviceId = (f: string) => f.replace(/\.rsc$/, "").toLowerCase().replace(/[^a-z0-9._-]/g, "-");

/** Re-wrap every long line as RouterOS does, at another width. */
function rewrap(text: string, width: number): string {
  return text
    .replace(/\\\r?\n {4}/g, "")
    .split("\n")
    .map((line) => {
      if (line.length <= width || line.startsWith("#")) return line;
      const parts: string[] = [];
      let rest = line;
      while (rest.length > width) {
        let cut = width;
        while (cut > 1 && rest[cut - 1] === "\\") cut--; // never split right after a backslash
        parts.push(`${rest.slice(0, cut)}\\`);
        rest = `    ${rest.slice(cut)}`;
      }
      parts.push(rest);
      return parts.join("\n");
    })
    .join("\n");
}

describe("import: the whole archive path from the CLI", function () {
  this.timeout(120_000);
  let dir: string;
  let config: string;
  let gitDir: string;
  let identityFile: string;
  const logs: string[] = [];

  before(() => {
    dir = tempDir();
    const keys = keygen(dir);
    identityFile = keys.identityFile;
    config = writeConfig(dir, { recipient: keys.recipient, devices: [...fixtures.map((f) => ({ id: deviceId(f) })), { id: "core-1", group: "fra" }] });
    gitDir = path.join(dir, "repos/acme.git");
  });

  for (const f of fixtures) {
    it(`${f}: archives once, decrypts byte for byte, leaks no secret`, () => {
      const src = readFileSync(path.join(FIXTURES, f), "utf8");
      const file = path.join(dir, f);
      writeFileSync(file, src);
      const r = cli(["import", "-c", config, `acme/${deviceId(f)}`, file]);
      logs.push(r.stderr);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(out), ["tenant", "device", "result", "changed", "commit", "parent"]);
      assert.equal(out.result, "changed");
      assert.match(out.commit, /^[0-9a-f]{40}$/);

      // The same export again, and variants that differ only in noise: no new commit.
      const lf = src.replace(/\r\n/g, "\n");
      const variants = [
        src,
        lf.replace(/\n/g, "\r\n"),
        lf,
        rewrap(lf, 60),
        lf.replace(/^# \S+ \S+ by RouterOS/m, "# 2031-01-02 03:04:05 by RouterOS"),
        lf.replace(/^# \S+ \S+ by RouterOS/m, "# feb/03/2031 04:05:06 by RouterOS"),
      ];
      for (const v of variants) {
        writeFileSync(file, v);
        const again = cli(["import", "-c", config, `acme/${deviceId(f)}`, file]);
        assert.equal(again.code, 0, again.stdout + again.stderr);
        const j = JSON.parse(again.stdout);
        assert.equal(j.result, "unchanged", `variant archived as a change: ${git(gitDir, ["diff", out.commit, "main"]).slice(0, 500)}`);
        assert.equal(j.commit, out.commit);
      }
      assert.equal(commitCount(gitDir, `${deviceId(f)}.rsc`), 1);

      const archived = path.join(dir, `${deviceId(f)}.archived.rsc`);
      writeFileSync(archived, git(gitDir, ["show", `main:${deviceId(f)}.rsc`]));
      const dec = cli(["decrypt", "-i", identityFile, archived]);
      assert.equal(dec.code, 0, dec.stderr);
      assert.equal(dec.stdout, normalize(src, ROUTEROS));
    });
  }

  it("no sensitive value of any fixture is in a git object, a state file or a log line", () => {
    const secrets = distinctive(fixtures.flatMap((f) => sensitiveValues(readFileSync(path.join(FIXTURES, f), "utf8"))));
    assert.ok(secrets.length >= 5, `the fixtures should hold real secrets to scan for (found ${secrets.length})`);
    const objects = allObjects(gitDir).toString("latin1");
    const state = filesUnder(path.join(dir, "state")).map((p) => readFileSync(p, "latin1")).join("\n");
    const logText = logs.join("\n");
    assert.ok(logText.includes('"event"'), "debug logs were captured");
    for (const s of secrets) {
      const needle = Buffer.from(s, "utf8").toString("latin1");
      assert.ok(!objects.includes(needle), `a secret is in a git object: ${s.slice(0, 2)}… (${s.length} chars), around: ${JSON.stringify(objects.slice(Math.max(0, objects.indexOf(needle) - 60), objects.indexOf(needle)))}`);
      assert.ok(!state.includes(needle), "a secret is in state_dir");
      assert.ok(!logText.includes(s), "a secret is in a log line");
    }
  });

  it("changing one secret gives one commit whose diff touches one line", () => {
    const f = fixtures.find((x) => x.startsWith("v7.17.2"))!;
    const src = readFileSync(path.join(FIXTURES, f), "utf8").replace(/\r\n/g, "\n");
    const secret = sensitiveTokens(src).find((s) => s.length >= 6 && !s.startsWith('"'))!;
    assert.ok(secret, "the fixture holds a bare secret");
    const file = path.join(dir, "changed.rsc");
    writeFileSync(file, src.replace(`=${secret}`, `=${secret}x`));
    const before = commitCount(gitDir);
    const r = cli(["import", "-c", config, `acme/${deviceId(f)}`, file]);
    assert.equal(JSON.parse(r.stdout).result, "changed", r.stderr);
    assert.equal(commitCount(gitDir), before + 1);
    const stat = git(gitDir, ["diff", "--numstat", "main~1", "main"]).trim();
    assert.equal(stat, `1\t1\t${deviceId(f)}.rsc`);
    assert.match(git(gitDir, ["log", "-1", "--format=%s"]), new RegExp(`^${deviceId(f)}: \\+1 -1 in /`));
  });

  it("repository passes git fsck --strict and clones with stock git", () => {
    fsckStrict(gitDir);
    const clone = path.join(dir, "clone");
    git(gitDir, ["clone", "--quiet", "--no-local", gitDir, clone]);
    assert.ok(existsSync(path.join(clone, "README.md")));
  });

  describe("bad input gets a clear error and changes nothing", () => {
    let tip: string;
    before(() => {
      tip = git(gitDir, ["rev-parse", "main"]).trim();
    });
    afterEach(() => assert.equal(git(gitDir, ["rev-parse", "main"]).trim(), tip, "main moved"));

    const expectError = (args: string[], code: string, message: RegExp) => {
      const r = cli(args);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.error.code, code);
      assert.match(j.error.message, message);
      assert.equal(j.commit, null);
    };
    const good = () => path.join(FIXTURES, fixtures[0]!);

    it("unknown tenant or device", () => {
      expectError(["import", "-c", config, "nope/core-1", good()], "not_found", /tenant nope/);
      expectError(["import", "-c", config, "acme/nope", good()], "not_found", /device nope/);
    });
    it("an identifier like ../x", () => {
      // Not TENANT/DEVICE at all: a usage error, before anything runs.
      const r = cli(["import", "-c", config, "acme/../x", good()]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /"acme\/\.\.\/x" is not TENANT\/DEVICE/);
      expectError(["import", "-c", config, "acme/..x", good()], "bad_parameter", /identifier/);
    });
    it("an empty file, a binary file, a missing file, an export with an error line", () => {
      const empty = path.join(dir, "empty.rsc");
      writeFileSync(empty, "");
      expectError(["import", "-c", config, "acme/fra-core", empty].map((a) => (a === "acme/fra-core" ? "acme/core-1" : a)), "invalid_output", /empty/);
      const bin = path.join(dir, "backup.bin");
      writeFileSync(bin, Buffer.from([0x88, 0xac, 0xa1, 0xb1, 0, 0, 0, 1, 0xff, 0xfe]));
      expectError(["import", "-c", config, "acme/core-1", bin], "invalid_output", /binary|UTF-8/);
      expectError(["import", "-c", config, "acme/core-1", path.join(dir, "missing.rsc")], "invalid_input", /cannot read/);
      const failed = path.join(dir, "failed.rsc");
      writeFileSync(failed, "/ip address\nadd address=1.2.3.4/24\nbad command name export (line 1 column 2)\n");
      expectError(["import", "-c", config, "acme/core-1", failed], "invalid_output", /error message/);
    });
    it("a config without a recipient names the key path", () => {
      const bad = path.join(dir, "bad.yaml");
      writeFileSync(bad, readFileSync(config, "utf8").replace(/recipients: \[.*\]/, "recipients: []"));
      const r = cli(["check-config", "-c", bad]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^encryption\.recipients: at least one recipient is required$/m);
      const imp = cli(["import", "-c", bad, "acme/core-1", good()]);
      assert.equal(imp.code, 1);
      assert.match(JSON.parse(imp.stdout).error.message, /encryption\.recipients/);
    });
    it("a bad --collected-at", () => {
      expectError(["import", "-c", config, "acme/core-1", good(), "--collected-at", "yesterday"], "bad_parameter", /RFC 3339/);
    });
  });

  it("a grouped device lands in <group>/<device>.rsc with --collected-at as its time", () => {
    const r = cli(["import", "-c", config, "acme/core-1", path.join(FIXTURES, fixtures[0]!), "--collected-at", "2026-11-22T10:00:00Z"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(git(gitDir, ["show", "--name-only", "--format=", j.commit]).trim(), "fra/core-1.rsc");
    const msg = git(gitDir, ["log", "-1", "--format=%B", j.commit]);
    assert.match(msg, /^core-1: initial snapshot\n\nDevice: core-1\nHost: 127\.0\.0\.1\nRouterOS-Version: \S+\nTrigger: import\nCollected-At: 2026-11-22T10:00:00Z\nNormalizer: 1\n/);
  });
});
