import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BIN, cli } from "../helpers/cli.js";
import { git } from "../helpers/git.js";
import { sshdAvailable, startSshd, type Sshd } from "../helpers/openssh.js";
import { OxidizedRepo, oxidizedStore, preambleAnswers, RancidRepo, rancidStore, routerExport } from "../helpers/source-repos.js";
import { FIXTURES, REPO_ROOT, tempDir } from "../helpers/tmp.js";

/**
 * README commands that cannot run offline in a test, each with the reason.
 * A README command in neither this list nor the runnable ones fails the suite,
 * so a new command gets looked at.
 */
const SKIPPED = new Map<string, string>([
  ["npm ci && npm start", "reinstalls node_modules and runs forever; demo.test.ts runs `start` both ways"],
  ["npm ci && npm test", "reinstalls node_modules and runs this very suite"],
  ["npx rosarchive demo --devices 6 --port 8080 --dir demo-data", "runs until Ctrl-C on a fixed port; demo.test.ts runs it on port 0"],
  ["npx rosarchive backup -c config.yaml acme/core-1", "needs the example's real router at 10.0.0.1; the same command runs below for the onboarded edge-9, against a real OpenSSH server"],
  ["rosarchive backup -c config.yaml acme --all", "needs the example's real routers; first-runs.test.ts runs backup --all against simulated devices"],
  ["npx rosarchive serve -c config.yaml", "serves until signalled; demo.test.ts runs serve through `start` with a config.yaml"],
  ["npx rosarchive collector -c collector.yaml --site fra-dc", "runs until SIGTERM against a NATS server; remote-collectors.test.ts runs collectors, one with a collector file"],
  ["npx rosarchive demo --collectors 2 --port 0", "runs until Ctrl-C; demo.test.ts runs it with nats-server"],
]);

/** An exported README fixture plays the operator's "old-export.rsc" (a v7 export with secrets). */
const OLD_EXPORT = "v7.17.2-chr-verbose-sensitive";

const README = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

/** Shell lines of the README's ```sh blocks, and `rosarchive ...` commands quoted in prose, in reading order. */
function readmeCommands(text: string): string[] {
  const out: Array<{ at: number; cmd: string }> = [];
  for (const m of text.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    let at = m.index!;
    for (const line of m[1]!.split("\n")) {
      at += line.length + 1;
      const cmd = line.replace(/\s+#.*$/, "").trim();
      if (cmd) out.push({ at, cmd });
    }
  }
  const prose = text.replace(/^```[\s\S]*?^```$/gm, (block) => " ".repeat(block.length));
  for (const m of prose.matchAll(/`((?:npx )?rosarchive [^`]+)`/g)) {
    // Prose spans may wrap across lines in the markdown source.
    const cmd = m[1]!.replace(/\s+/g, " ");
    // `rosarchive decrypt` alone names a command, it is not a command line.
    if (cmd.split(" ").length > 2) out.push({ at: m.index!, cmd });
  }
  return out.sort((a, b) => a.at - b.at).map((c) => c.cmd);
}

/** The operator's `rosarchive`/`npx rosarchive` is this checkout's executable. */
function localize(cmd: string): string {
  return cmd.replace(/(^|&& )(?:npx )?rosarchive /g, `$1'${process.execPath}' '${BIN}' `);
}

/**
 * What the README's migrate lines read: an Oxidized repository and RANCID's
 * per-group repositories, written as those tools write them. They run after
 * the key rotation, whose re-seal commit of core-1 is collected "now".
 */
function sourceHistories(cwd: string): void {
  const v7 = readFileSync(path.join(FIXTURES, `${OLD_EXPORT}.rsc`), "utf8");
  const store = (text: string, at: Date) => oxidizedStore(routerExport(text, "7.17.2", at), preambleAnswers("7.17.2"));
  const ox = new OxidizedRepo(path.join(cwd, "oxidized/devices.git"));
  if (ox.exists()) return;
  const at = (d: string) => new Date(`${d}T10:00:00Z`);
  ox.storeNode("core-1", "fra", store(v7, at("2025-02-01")), at("2025-02-01"));
  ox.storeNode("core-1", "fra", store(`${v7}/system note\nset note="migrated"\n`, at("2025-03-01")), at("2025-03-01"));
  ox.storeNode("10.0.0.7", null, store(v7, at("2025-02-02")), at("2025-02-02"));
  ox.storeNode("lab-9", null, store(v7, at("2025-02-03")), at("2025-02-03"));
  const fra = new RancidRepo(path.join(cwd, "rancid/CVS/fra"), "", { "10.0.0.7": "mikrotik" });
  fra.run({ "10.0.0.7": rancidStore(routerExport(`${v7}/system note\nset note="rancid"\n`, "7.17.2", at("2025-04-01")), "7.17.2") }, at("2025-04-01"));
}

describe("README commands", function () {
  this.timeout(120_000);
  const commands = readmeCommands(README);
  const cwd = tempDir();
  /** The operator's new router in "Adding a router": a real OpenSSH server that answers like RouterOS. */
  let router: Sshd;
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
  delete env.ROUTER_PASSWORD;
  delete env.ACME_HOOK_SECRET;

  before(async function () {
    // What a fresh clone gives the operator in their working directory.
    copyFileSync(path.join(REPO_ROOT, "config.example.yaml"), path.join(cwd, "config.example.yaml"));
    assert.ok(sshdAvailable(), "the README walk needs a real OpenSSH server (openssh-server; npm test installs it)");
    router = await startSshd({ exportText: readFileSync(path.join(FIXTURES, "v7.17.2-chr-verbose-sensitive.rsc"), "utf8"), version: "7.17.2" });
    assert.ok(router.password, "password login to the OpenSSH stand-in (run as root, as CI does)");
  });
  after(async () => router?.stop());

  /**
   * "Adding a router": the operator adds the device to config.yaml (here the
   * OpenSSH stand-in, its user) and exports the router password they chose.
   */
  function onboard() {
    const file = path.join(cwd, "config.yaml");
    const text = readFileSync(file, "utf8");
    assert.match(text, /^ {4}devices:\n/m);
    writeFileSync(file, text.replace(/^( {4}devices:\n)/m, `$1      - { id: edge-9, host: 127.0.0.1, port: ${router.port}, group: fra, username: ${router.username} }\n`));
    env.ROUTER_PASSWORD = router.password!;
  }

  /** Runs one README line in the operator's shell, in the shared working directory. */
  function sh(cmd: string) {
    const r = spawnSync("sh", ["-c", localize(cmd)], { cwd, env, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** What each runnable README command must do, beyond exiting 0. Matched on the command's start. */
  const checks: Array<[RegExp, (out: { stdout: string; stderr: string }) => void]> = [
    [
      /^npx rosarchive keygen --out identity\.txt$/,
      ({ stdout }) => {
        const text = readFileSync(path.join(cwd, "identity.txt"), "utf8");
        assert.match(text, /^# public key: age1[0-9a-z]+$/m);
        assert.match(text, /^AGE-SECRET-KEY-1[0-9A-Z]+$/m);
        assert.equal(statSync(path.join(cwd, "identity.txt")).mode & 0o777, 0o600);
        assert.match(stdout, /^# public key: age1/m);
        assert.doesNotMatch(stdout, /AGE-SECRET-KEY/, "the identity is not printed");
      },
    ],
    [
      /^npx rosarchive check-config -c config\.yaml && npx rosarchive backup -c config\.yaml acme\/edge-9$/,
      ({ stdout }) => {
        const lines = stdout.trim().split("\n");
        assert.match(lines[0]!, /config\.yaml: ok \(1 tenants, 3 devices;/);
        const r = JSON.parse(lines.at(-1)!) as { tenant: string; device: string; result: string; commit: string };
        assert.deepEqual([r.tenant, r.device, r.result], ["acme", "edge-9", "changed"]);
        // Logged in over real SSH and took the v7 export with its secrets, sealed in the archive.
        const archived = git(path.join(cwd, "repos/acme.git"), ["show", "main:fra/edge-9.rsc"]);
        assert.match(archived, /^# RouterOS 7\.17\.2$/m);
        assert.match(archived, /=age:[A-Za-z0-9_-]+/);
      },
    ],
    [
      /^rosarchive status -c config\.yaml acme$/,
      ({ stdout }) => {
        assert.match(stdout, /^DEVICE +STATE /m);
        assert.match(stdout, /^edge-9 +never /m, "a one-off run from a shell leaves the state to the service");
      },
    ],
    [
      /^npx rosarchive token$/,
      ({ stdout }) => {
        const token = /^token:\s+(\S+)$/m.exec(stdout)![1]!;
        const sha = /^sha256:\s+([0-9a-f]{64})$/m.exec(stdout)![1]!;
        assert.equal(createHash("sha256").update(token).digest("hex"), sha, "the printed sha256 is the token's");
      },
    ],
    [
      /^cp config\.example\.yaml config\.yaml$/,
      () => {
        // The README's "edit: recipients": seal for the identity keygen just wrote.
        const recipient = /# public key: (age1\S+)/.exec(readFileSync(path.join(cwd, "identity.txt"), "utf8"))![1]!;
        const file = path.join(cwd, "config.yaml");
        const text = readFileSync(file, "utf8");
        assert.match(text, /^ {4}- age1\S+/m);
        writeFileSync(file, text.replace(/^( {4}- )age1\S+/m, `$1${recipient}`));
      },
    ],
    [/^export /, () => {}],
    [
      /^npx rosarchive check-config -c config\.yaml$/,
      ({ stdout }) => assert.match(stdout, /config\.yaml: ok \(1 tenants, 2 devices; secret sources checked in this shell.s environment\)/),
    ],
    [
      /^rosarchive import -c config\.yaml acme\/core-1 old-export\.rsc /,
      ({ stdout }) => {
        const r = JSON.parse(stdout) as { tenant: string; device: string; changed: boolean; commit: string };
        assert.equal(r.tenant, "acme");
        assert.equal(r.device, "core-1");
        assert.equal(r.changed, true);
        assert.match(r.commit, /^[0-9a-f]{40}$/);
        // The archived file, as a clone of the archive would hold it, for the decrypt section.
        const archived = git(path.join(cwd, "repos/acme.git"), ["show", "main:fra/core-1.rsc"]);
        assert.match(archived, /=age:[A-Za-z0-9_-]+/);
        writeFileSync(path.join(cwd, "core-1.rsc"), archived);
      },
    ],
    [
      /^rosarchive state backup -c config\.yaml > state\.tar$/,
      () => {
        // A tar of state_dir that stock tar lists: the format, the secret-index key first, the manifest last.
        const names = execFileSync("tar", ["-tf", path.join(cwd, "state.tar")], { encoding: "utf8" }).trim().split("\n");
        assert.deepEqual(names.slice(0, 3), ["rosarchive-state/", "rosarchive-state/FORMAT", "rosarchive-state/secret-index.key"]);
        assert.ok(names.includes("rosarchive-state/secrets/acme/core-1.json"));
        assert.equal(names.at(-1), "rosarchive-state.json");
      },
    ],
    [
      /^npx rosarchive keygen --out identity-2027\.txt$/,
      () => {
        // Key rotation, step 1: the tenant's own block with the new key (the README's edit of config.yaml).
        const recipient = /# public key: (age1\S+)/.exec(readFileSync(path.join(cwd, "identity-2027.txt"), "utf8"))![1]!;
        const file = path.join(cwd, "config.yaml");
        const text = readFileSync(file, "utf8");
        assert.match(text, /^ {2}acme:\n/m);
        writeFileSync(file, text.replace(/^ {2}acme:\n/m, `  acme:\n    encryption: { recipients: [${recipient}], identity_file: ./identity-2027.txt }\n`));
      },
    ],
    [
      /^rosarchive reseal -c config\.yaml -i identity\.txt acme$/,
      ({ stdout }) => {
        const lines = stdout.trim().split("\n").map((l) => JSON.parse(l) as { device: string; result: string });
        assert.deepEqual(lines.map((l) => [l.device, l.result]), [["edge-9", "resealed"], ["core-1", "resealed"], ["edge-7", "never"]]);
        const message = git(path.join(cwd, "repos/acme.git"), ["log", "-1", "--format=%B", "main"]);
        assert.match(message, /^core-1: re-sealed \d+ values for new recipients\n/);
        assert.match(message, /\nTrigger: manual\n/);
        assert.match(message, /\nNormalizer: 1\nResealed: true\n/);
      },
    ],
    [
      /^rosarchive policy run -c config\.yaml acme$/,
      ({ stdout }) => {
        // The example's five checks on the imported v7 export (core-1, group fra): telnet on, weak SSH crypto,
        // NTP client off, the default SNMP community open to all fail; no admin line, so that one passes.
        const r = JSON.parse(stdout) as { tenant: string; devices: number; passing: number; failing: number; violated: number };
        assert.deepEqual([r.tenant, r.devices, r.passing, r.failing, r.violated], ["acme", 1, 1, 4, 4]);
        const kept = JSON.parse(readFileSync(path.join(cwd, "state/policy/acme/core-1.json"), "utf8")) as { checks: Record<string, { status: string }> };
        assert.equal(kept.checks["telnet-disabled"]!.status, "fail");
      },
    ],
    [/^git --git-dir repos\/acme\.git show main:fra\/core-1\.rsc > core-1-now\.rsc$/, () => {}],
    [
      /^rosarchive decrypt -c config\.yaml --tenant acme core-1-now\.rsc > core-1-now\.plain\.rsc$/,
      () => {
        // The re-sealed snapshot opens with the new key alone, and is the same export.
        const plain = readFileSync(path.join(cwd, "core-1-now.plain.rsc"), "utf8");
        assert.equal(plain, readFileSync(path.join(FIXTURES, `${OLD_EXPORT}.normalized.rsc`), "utf8"));
      },
    ],
    [
      /^npx rosarchive migrate oxidized --repo oxidized\/devices\.git -c config\.yaml$/,
      ({ stdout }) => {
        // fra/core-1 is core-1 (group fra); its versions are older than its re-sealed snapshot above: not newer, left out.
        // The node named 10.0.0.7 is edge-7 by its host; lab-9 is in no config.
        assert.match(stdout, /^versions: 3 of matched devices, 1 committed, 0 unchanged, 2 not newer than the archive, 0 skipped;/m);
        assert.match(stdout, /^ {2}core-1 +0 committed, 0 unchanged, 2 not newer, 0 skipped +<- fra\/core-1$/m);
        assert.match(stdout, /^ {2}edge-7 +1 committed.*<- 10\.0\.0\.7$/m);
        assert.match(stdout, /^ {2}lab-9 \(1 version\): not_in_config: /m);
      },
    ],
    [
      /^npx rosarchive migrate rancid --repo rancid\/CVS -c config\.yaml --json$/,
      ({ stdout }) => {
        const r = JSON.parse(stdout) as { versions: { committed: number }; devices: Array<{ device: string; committed: number }> };
        assert.equal(r.versions.committed, 1);
        assert.deepEqual(r.devices.map((d) => [d.device, d.committed]), [["edge-7", 1]]);
        assert.match(git(path.join(cwd, "repos/acme.git"), ["log", "-1", "--format=%B", "main", "--", "edge-7.rsc"]), /^Trigger: import\nCollected-At: 2025-04-01T10:00:00Z$/m);
      },
    ],
    [
      /^rosarchive decrypt -i identity\.txt core-1\.rsc > core-1\.plain\.rsc$/,
      () => {
        const plain = readFileSync(path.join(cwd, "core-1.plain.rsc"), "utf8");
        assert.doesNotMatch(plain, /age:/);
        // "the exact normalized export": byte for byte what normalization made of the import.
        assert.equal(plain, readFileSync(path.join(FIXTURES, `${OLD_EXPORT}.normalized.rsc`), "utf8"));
      },
    ],
  ];

  it("every README command is either run below or skipped with a reason", function () {
    assert.ok(commands.length >= 10, `found ${commands.length} commands`);
    const unknown = commands.filter((c) => !SKIPPED.has(c) && !checks.some(([re]) => re.test(c)));
    assert.deepEqual(unknown, []);
    for (const skipped of SKIPPED.keys()) assert.ok(commands.includes(skipped), `SKIPPED lists a command no longer in README: ${skipped}`);
  });

  for (const cmd of commands) {
    if (SKIPPED.has(cmd)) {
      it(`skips \`${cmd}\`: ${SKIPPED.get(cmd)}`);
      continue;
    }
    it(`runs \`${cmd}\``, function () {
      const exported = /^export (\w+)=(\S*)$/.exec(cmd);
      if (exported) {
        // A later line of the same shell session sees it.
        env[exported[1]!] = exported[2]!;
        return;
      }
      if (cmd.startsWith("rosarchive import ")) copyFileSync(path.join(FIXTURES, `${OLD_EXPORT}.rsc`), path.join(cwd, "old-export.rsc"));
      if (cmd.startsWith("npx rosarchive migrate ")) sourceHistories(cwd);
      if (cmd.includes("acme/edge-9")) onboard();
      const r = sh(cmd);
      assert.equal(r.code, 0, `${cmd}\n${r.stderr}`);
      checks.find(([re]) => re.test(cmd))![1](r);
    });
  }

  it("check-config on the example config names each missing environment variable", function () {
    // Why the quickstart exports both variables before check-config.
    const bare: NodeJS.ProcessEnv = { ...process.env };
    delete bare.ROUTER_PASSWORD;
    delete bare.ACME_HOOK_SECRET;
    const r = spawnSync(process.execPath, [BIN, "check-config", "-c", path.join(REPO_ROOT, "config.example.yaml")], { encoding: "utf8", env: bare });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ROUTER_PASSWORD/);
    assert.match(r.stderr, /ACME_HOOK_SECRET/);
  });

  describe("--help", function () {
    const listed = cli(["--help"]);
    const names = [...listed.stdout.matchAll(/^ {2}([a-z-]+) {2,}\S/gm)].map((m) => m[1]!);

    it("rosarchive --help lists every command and exits 0", function () {
      assert.equal(listed.code, 0);
      assert.match(listed.stdout, /^usage: rosarchive COMMAND/m);
      for (const name of ["serve", "demo", "check-config", "backup", "import", "keygen", "token", "decrypt", "reseal", "hostkey", "unblock", "audit"]) assert.ok(names.includes(name), name);
    });

    for (const name of names) {
      it(`rosarchive ${name} --help prints its usage and exits 0`, function () {
        const r = cli([name, "--help"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`^usage: rosarchive ${name}( |$)`, "m"));
      });
    }

    it("rosarchive without a command prints usage on stderr and exits 1", function () {
      const r = cli([]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^usage: rosarchive COMMAND/m);
    });
  });
});
