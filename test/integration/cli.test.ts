import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cli, keygen, writeConfig } from "../helpers/cli.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";

/** The command line a newcomer meets: help, version, usage errors, keygen --out, status. */
describe("cli: help, version, usage errors, keygen --out, status", function () {
  this.timeout(60_000);
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };

  it("--help lists start, version and help; `help COMMAND` and `COMMAND --help` print the same usage", () => {
    const listed = cli(["--help"]).stdout;
    for (const name of ["start", "version", "help", "status"]) assert.match(listed, new RegExp(`^ {2}${name} {2,}\\S`, "m"), name);
    const viaHelp = cli(["help", "backup"]);
    assert.equal(viaHelp.code, 0);
    assert.equal(viaHelp.stdout, cli(["backup", "--help"]).stdout);
    assert.equal(cli(["help", "nope"]).code, 1);
  });

  it("version and --version print the package's version", () => {
    assert.equal(cli(["version"]).stdout.trim(), `rosarchive ${pkg.version}`);
    assert.equal(cli(["--version"]).stdout.trim(), `rosarchive ${pkg.version}`);
  });

  it("start --help is start's own usage, not the demo's", () => {
    const r = cli(["start", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: rosarchive start/m);
    assert.match(r.stdout, /config\.yaml/);
  });

  it("extra arguments are refused with the usage, for every command that takes none", () => {
    for (const args of [["keygen", "extra"], ["token", "extra"], ["check-config", "-c", "x.yaml", "extra"], ["serve", "-c", "x.yaml", "extra"], ["version", "extra"]]) {
      const r = cli(args);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, /unexpected argument "extra"/, args.join(" "));
      assert.match(r.stderr, new RegExp(`usage: rosarchive ${args[0]}`));
    }
  });

  it("keygen --out writes the identity with mode 0600, prints only the recipient, never overwrites, and warns inside a git working tree", () => {
    const dir = tempDir();
    const file = path.join(dir, "identity.txt");
    const r = cli(["keygen", "--out", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /AGE-SECRET-KEY/);
    const recipient = /public key: (age1\S+)/.exec(r.stdout)![1]!;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(readFileSync(file, "utf8"), new RegExp(`# public key: ${recipient}\\nAGE-SECRET-KEY-1[0-9A-Z]+\\n$`));
    assert.equal(r.stderr, "", "no warning outside a git working tree");
    const again = cli(["keygen", "--out", file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists: keygen never overwrites/);
    assert.match(readFileSync(file, "utf8"), new RegExp(recipient), "the first identity is intact");
    const work = path.join(dir, "work");
    mkdirSync(work);
    execFileSync("git", ["init", "-q", work]);
    const inTree = cli(["keygen", "--out", path.join(work, "keys", "..", "id.txt")]);
    assert.equal(inTree.code, 0);
    assert.match(inTree.stderr, /inside the git working tree .*work: never commit it/);
  });

  it("status prints each device's state from state_dir, and --json the API's shape", () => {
    const dir = tempDir();
    const config = writeConfig(dir, { recipient: keygen(dir).recipient, devices: [{ id: "core-1", group: "fra" }, { id: "edge-2" }] });
    mkdirSync(path.join(dir, "state/devices/acme"), { recursive: true });
    writeFileSync(path.join(dir, "state/devices/acme/core-1.json"), JSON.stringify({ status: "failing", last_error: { code: "unreachable", message: "10.0.0.1:22: ECONNREFUSED" }, routeros_version: "7.16.2" }));
    const r = cli(["status", "-c", config, "acme"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^DEVICE +STATE +VERSION/m);
    assert.match(r.stdout, /^core-1 +failing +7\.16\.2 .*unreachable: 10\.0\.0\.1:22: ECONNREFUSED$/m);
    assert.match(r.stdout, /^edge-2 +never /m);
    assert.match(r.stdout, /2 devices: 0 ok, 1 failing, 0 blocked, 1 never/);
    const json = JSON.parse(cli(["status", "-c", config, "acme", "--json"]).stdout);
    assert.deepEqual(json.devices.map((d: { id: string; status: string }) => [d.id, d.status]), [["core-1", "failing"], ["edge-2", "never"]]);
    assert.equal(cli(["status", "-c", config]).code, 1, "a tenant is required");
  });
});
