import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cli, keygen } from "../helpers/cli.js";
import { FIXTURES, REPO_ROOT, tempDir } from "../helpers/tmp.js";

const V7 = "v7.17.2-chr-verbose-sensitive";

/**
 * The shell lines of docs/repository-format.md that open a sealed value with
 * the stock age CLI, run as written against a value the archive really
 * sealed, and the whole-file decrypt beside them.
 */
describe("docs: decrypting as docs/repository-format.md says", function () {
  this.timeout(60_000);

  it("opens one sealed value with stock age, and the whole file with rosarchive decrypt", () => {
    const dir = tempDir();
    const keys = keygen(dir);
    const config = path.join(dir, "config.yaml");
    writeFileSync(config, `data_dir: ./repos\nstate_dir: ./state\nencryption: { recipients: [${keys.recipient}] }\ntenants:\n  acme:\n    devices: [{ id: core-1, host: 127.0.0.1 }]\n`);
    const imported = cli(["import", "-c", config, "acme/core-1", path.join(FIXTURES, `${V7}.rsc`)]);
    assert.equal(imported.code, 0, imported.stdout + imported.stderr);
    const archived = spawnSync("git", ["--git-dir", path.join(dir, "repos/acme.git"), "show", "main:core-1.rsc"], { encoding: "utf8" }).stdout;
    const line = archived.split("\n").find((l) => /\bprivate-key=age:/.test(l))!;
    const token = /private-key=age:([A-Za-z0-9_-]+)/.exec(line)![1]!;
    const plainLine = readFileSync(path.join(FIXTURES, `${V7}.normalized.rsc`), "utf8").split("\n").find((l) => l.startsWith(line.slice(0, line.indexOf("private-key="))) && l.includes("private-key="))!;
    const want = /private-key=("(?:[^"\\]|\\.)*"|\S+)/.exec(plainLine)![1]!;

    // The doc's lines, from `v=` to `age -d`, with this value in v and the identity file beside it.
    const doc = readFileSync(path.join(REPO_ROOT, "docs/repository-format.md"), "utf8");
    const block = /```sh\n(v='[^\n]*\n[\s\S]*?age -d -i identity\.txt value\.age[^\n]*)\n```/.exec(doc)?.[1];
    assert.ok(block, "docs/repository-format.md has the age lines");
    const script = block.replace(/^v='[^']*'/, `v='${token}'`);
    const r = spawnSync("sh", ["-c", script.replace("identity.txt", keys.identityFile)], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, want, "the original token, quotes included");

    writeFileSync(path.join(dir, "core-1.rsc"), archived);
    const whole = cli(["decrypt", "-i", keys.identityFile, path.join(dir, "core-1.rsc")]);
    assert.equal(whole.code, 0, whole.stderr);
    assert.equal(whole.stdout, readFileSync(path.join(FIXTURES, `${V7}.normalized.rsc`), "utf8"));
  });
});
