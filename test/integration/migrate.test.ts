import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { NEW_SOURCE, SourceStateStore } from "../../src/inventory/index.js";
import { normalize } from "../../src/normalize/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { BIN, cli, cliAsync, keygen, writeConfig } from "../helpers/cli.js";
import { allObjects, commitCount, fsckStrict, git } from "../helpers/git.js";
import { distinctive, sensitiveValues } from "../helpers/secrets.js";
import { readFixture, startDevices, TEST_PASSWORD } from "../helpers/simulator.js";
import { iosConfig, OxidizedRepo, oxidizedStore, oxidizedStoreError, preambleAnswers, RancidRepo, rancidStore, routerExport } from "../helpers/source-repos.js";
import { tempDir } from "../helpers/tmp.js";

const V7 = readFixture("v7.17.2-chr-verbose-sensitive.rsc");
const V6 = readFixture("v6.48.4-rb952-wifi.rsc");
const WIFI = readFixture("v7.18.2-wifi.rsc");
const day = (d: string) => new Date(`${d}T10:00:00Z`);
const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");

/** A v7 secret of the fixture, and the fixture with that secret changed. */
const SECRET = distinctive(sensitiveValues(V7)).find((s) => !s.startsWith('"'))!;
const NEW_SECRET = `Q7z${SECRET.slice(3)}`;
const V7_NEW_SECRET = V7.replace(SECRET, NEW_SECRET);
const withRule = (text: string, n: number) => `${text.replace(/\s+$/, "")}\r\n/ip firewall filter\r\nadd action=accept chain=input comment="migrated rule ${n}" dst-port=${8000 + n} protocol=tcp\r\n`;

/** Oxidized storing one collection of a RouterOS node at `at`. */
const stored = (text: string, version: string, at: Date, history: string[] = []) => oxidizedStore(routerExport(text, version, at), preambleAnswers(version, history));

/** One tenant: config, keys, state, repository. */
function tenantSetup(devices: Array<{ id: string; host?: string; port?: number; group?: string }>) {
  const dir = tempDir();
  const keys = keygen(dir);
  const config = writeConfig(dir, { recipient: keys.recipient, devices, extra: "schedule: { connect_timeout: 5s, command_timeout: 10s, backoff: [1m] }" });
  writeFileSync(config, readFileSync(config, "utf8").replace("password: not-a-real-secret", "password_env: ROUTER_PASSWORD"));
  const gitDir = path.join(dir, "repos/acme.git");
  const state = (id: string) => JSON.parse(readFileSync(path.join(dir, "state/devices/acme", `${id}.json`), "utf8"));
  const migrate = (tool: string, repo: string, extra: string[] = []) => {
    const r = cli(["migrate", tool, "--repo", repo, "-c", config, "--json", ...extra], { env: { ROUTER_PASSWORD: TEST_PASSWORD } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return { ...r, report: JSON.parse(r.stdout) };
  };
  /** Oldest first: [Collected-At, Trigger, subject] of every commit touching the file. */
  const history = (file: string) =>
    git(gitDir, ["log", "--reverse", "--format=%(trailers:key=Collected-At,valueonly,separator=)|%(trailers:key=Trigger,valueonly,separator=)|%s", "main", "--", file])
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("|"));
  const decrypt = (file: string, rev = "main") => {
    const f = path.join(dir, `${file.replace(/\//g, "_")}.archived`);
    writeFileSync(f, git(gitDir, ["show", `${rev}:${file}`]));
    const r = cli(["decrypt", "-i", keys.identityFile, f]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  return { dir, config, gitDir, state, migrate, history, decrypt };
}

/** Every plaintext secret of these export texts (long enough to mean a leak when found). */
const secretsOf = (...texts: string[]) => distinctive([...new Set(texts.flatMap((t) => sensitiveValues(t)))]);

function assertNoPlaintext(gitDir: string, secrets: string[]): void {
  const objects = allObjects(gitDir).toString("latin1");
  for (const s of secrets) assert.ok(!objects.includes(Buffer.from(s).toString("latin1")), `a plaintext secret is in the archive: ${s.slice(0, 2)}… (${s.length} chars)`);
}

describe("migrate: an Oxidized or RANCID history into the archive", function () {
  this.timeout(240_000);
  let sim: Simulator;
  before(async () => {
    sim = await startDevices(1, () => ({ id: "core-1", exportText: withRule(V7_NEW_SECRET, 5), version: "7.17.2" }));
  });
  after(() => sim?.stop());

  describe("one Oxidized repository, as Oxidized writes it", () => {
    let t: ReturnType<typeof tenantSetup>;
    let ox: OxidizedRepo;
    const times = { v1: day("2024-01-10"), v2: day("2024-02-10"), v3: day("2024-03-10"), v4: day("2024-04-10"), v5: day("2024-05-10"), v6: day("2024-07-10") };

    before(() => {
      t = tenantSetup([
        { id: "core-1", port: sim.devices.get("core-1")!.port },
        { id: "sw-6", host: "10.0.0.6" },
        { id: "edge-1", host: "10.0.1.1", group: "fra" },
        { id: "sw-ios", host: "10.0.0.9" },
        { id: "quiet-1", host: "10.0.0.10" },
      ]);
      ox = new OxidizedRepo(path.join(t.dir, "oxidized/devices.git"));
      // core-1: a first version, a preamble-only change, a changed secret, a stored error, a config change.
      ox.storeNode("core-1", null, stored(V7, "7.17.2", times.v1), times.v1);
      ox.storeNode("core-1", null, stored(V7, "7.17.2", times.v2, ["dns changed"]), times.v2);
      ox.storeNode("core-1", null, stored(V7_NEW_SECRET, "7.17.2", times.v3, ["dns changed"]), times.v3);
      ox.storeNode("core-1", null, oxidizedStoreError(preambleAnswers("7.17.2", ["dns changed"]), "failure: not enough permissions (9)"), times.v4);
      ox.storeNode("core-1", null, stored(withRule(V7_NEW_SECRET, 5), "7.17.2", times.v5, ["dns changed"]), times.v5);
      // sw-6 (v6), fra/edge-1 (a group folder: single_repo), an IOS switch, a RouterOS node not in the config.
      ox.storeNode("sw-6", null, stored(V6, "6.48.4", day("2024-01-15")), day("2024-01-15"));
      ox.storeNode("sw-6", null, stored(withRule(V6, 1), "6.48.4", day("2024-06-15")), day("2024-06-15"));
      ox.storeNode("edge-1", "fra", stored(WIFI, "7.18.2", day("2024-02-01")), day("2024-02-01"));
      ox.storeNode("edge-1", "fra", stored(withRule(WIFI, 2), "7.18.2", day("2024-02-02")), day("2024-02-02"));
      ox.storeNode("sw-ios", null, iosConfig("sw-ios", "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0"), day("2024-01-20"));
      ox.storeNode("sw-ios", null, iosConfig("sw-ios", "$1$mERr$9cTjUIEqNGurQiFU.ZeCi1"), day("2024-03-20"));
      ox.storeNode("lab-9", null, stored(WIFI, "7.18.2", day("2024-03-01")), day("2024-03-01"));
      assert.equal(ox.commits(), 12, "Oxidized commits every change of the stored file, the preamble too");
    });

    it("replays every RouterOS version oldest first, with the original times, skipping and reporting the rest", () => {
      const run = t.migrate("oxidized", path.join(t.dir, "oxidized/devices.git")); // the config logs at debug level
      const { report } = run;
      assert.match(run.stderr, /"event":"snapshot.committed"/, "debug logs were captured");
      // core-1: v1, v3 (the secret), v5; v2 only changed the preamble; v4 was an error stored instead of the export.
      const core1 = t.history("core-1.rsc");
      assert.deepEqual(core1.map((r) => r.slice(0, 2)), [[iso(times.v1), "import"], [iso(times.v3), "import"], [iso(times.v5), "import"]]);
      assert.equal(core1[0]![2], "core-1: initial snapshot");
      assert.match(core1[1]![2]!, /^core-1: \+1 -1 in \//, "the changed secret is one changed line");
      assert.match(core1[2]![2]!, /^core-1: \+2 -0 in \/ip firewall filter$/);
      assert.deepEqual(t.history("sw-6.rsc").map((r) => r[0]), ["2024-01-15T10:00:00Z", "2024-06-15T10:00:00Z"]);
      assert.deepEqual(t.history("fra/edge-1.rsc").map((r) => r[0]), ["2024-02-01T10:00:00Z", "2024-02-02T10:00:00Z"]);
      assert.equal(commitCount(t.gitDir), 1 + 7, "the README commit and seven versions");

      const core = report.devices.find((d: any) => d.device === "core-1");
      assert.deepEqual([core.committed, core.unchanged, core.not_newer, core.skipped], [3, 1, 0, 1]);
      assert.deepEqual(report.versions, { total: 11, committed: 7, unchanged: 1, not_newer: 0, skipped: 3 });
      const skippedVersions = report.skipped_versions.map((s: any) => [s.device, s.path, s.reason, s.versions, s.first_time]);
      assert.deepEqual(skippedVersions.sort(), [
        ["core-1", "core-1", "error_output", 1, iso(times.v4)],
        ["sw-ios", "sw-ios", "not_routeros", 2, "2024-01-20T10:00:00Z"],
      ]);
      assert.deepEqual(report.skipped_nodes.map((s: any) => [s.path, s.reason, s.versions]), [["lab-9", "not_in_config", 1]]);
      assert.match(report.skipped_nodes[0].detail, /add it to the config/);

      fsckStrict(t.gitDir);
      // The archive holds no plaintext secret; the source did (the scan finds what is there).
      const secrets = secretsOf(V7, V7_NEW_SECRET, V6, WIFI);
      assert.notEqual(V7_NEW_SECRET, V7);
      assert.ok(secrets.includes(SECRET) && secrets.includes(NEW_SECRET), "the changed secret is scanned for");
      const source = allObjects(path.join(t.dir, "oxidized/devices.git")).toString("latin1");
      assert.ok(secrets.every((s) => source.includes(s)), "positive control: the Oxidized repository holds them in plain text");
      assertNoPlaintext(t.gitDir, secrets);
      const stateFiles = readdirSync(path.join(t.dir, "state"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      assert.ok(stateFiles.length > 0);
      const stateText = stateFiles.map((e) => readFileSync(path.join(e.parentPath, e.name), "latin1")).join("\n");
      for (const x of secrets) {
        assert.ok(!stateText.includes(x), "a plaintext secret is in state_dir");
        assert.ok(!run.stderr.includes(x) && !run.stdout.includes(x), "a plaintext secret is in the command's output");
      }
      // Each archived version decrypts to the router's own export, normalized.
      assert.equal(t.decrypt("core-1.rsc"), normalize(withRule(V7_NEW_SECRET, 5), ROUTEROS));
      const first = git(t.gitDir, ["log", "--reverse", "--format=%H", "main", "--", "core-1.rsc"]).split("\n")[0]!;
      assert.equal(t.decrypt("core-1.rsc", first), normalize(V7, ROUTEROS), "core-1's first version");
      assert.equal(t.decrypt("sw-6.rsc"), normalize(withRule(V6, 1), ROUTEROS));

      // Imported devices are on record: not "never" in the fleet view.
      const s = t.state("core-1");
      assert.deepEqual([s.status, s.last_success, s.last_change, s.routeros_version, s.last_attempt], ["ok", iso(times.v5), iso(times.v5), "7.17.2", null]);
      assert.equal(s.last_change_commit, git(t.gitDir, ["log", "-1", "--format=%H", "main", "--", "core-1.rsc"]).trim());
    });

    it("a second run adds nothing", () => {
      const before = git(t.gitDir, ["rev-parse", "main"]);
      const { report } = t.migrate("oxidized", path.join(t.dir, "oxidized/devices.git"));
      assert.equal(git(t.gitDir, ["rev-parse", "main"]), before);
      assert.deepEqual(report.versions, { total: 11, committed: 0, unchanged: 0, not_newer: 9, skipped: 2 });
      fsckStrict(t.gitDir);
    });

    it("a newer copy of the source adds only its new versions", () => {
      ox.storeNode("core-1", null, stored(withRule(V7_NEW_SECRET, 6), "7.17.2", times.v6, ["dns changed"]), times.v6);
      ox.storeNode("sw-6", null, stored(withRule(V6, 7), "6.48.4", day("2024-07-15")), day("2024-07-15"));
      const before = commitCount(t.gitDir);
      const { report } = t.migrate("oxidized", path.join(t.dir, "oxidized/devices.git"));
      assert.equal(commitCount(t.gitDir), before + 2);
      assert.equal(report.versions.committed, 2);
      assert.deepEqual(t.history("core-1.rsc").map((r) => r[0]).slice(-1), [iso(times.v6)]);
      assert.deepEqual(t.history("sw-6.rsc").map((r) => r[0]).slice(-1), ["2024-07-15T10:00:00Z"]);
      fsckStrict(t.gitDir);
    });

    it("the next live backup of the unchanged router makes no commit", async () => {
      sim.setExport("core-1", withRule(V7_NEW_SECRET, 6));
      const tip = git(t.gitDir, ["rev-parse", "main"]).trim();
      const r = await cliAsync(["backup", "-c", t.config, "acme/core-1"], { env: { ROUTER_PASSWORD: TEST_PASSWORD } });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.result, "unchanged", `the live export differs from the migrated one: ${git(t.gitDir, ["log", "-1", "--format=%H"]).trim()}`);
      assert.equal(j.commit, git(t.gitDir, ["log", "-1", "--format=%H", "main", "--", "core-1.rsc"]).trim());
      assert.equal(git(t.gitDir, ["rev-parse", "main"]).trim(), tip);
      assert.equal(t.state("core-1").status, "ok");
    });

    it("import of an export older than the newest version is refused; --force archives it as the newest", () => {
      const file = path.join(t.dir, "old.rsc");
      writeFileSync(file, V7);
      const tip = git(t.gitDir, ["rev-parse", "main"]).trim();
      const lastSuccess = t.state("core-1").last_success;
      const refused = cli(["import", "-c", t.config, "acme/core-1", file, "--collected-at", "2024-03-01T00:00:00Z"]);
      assert.equal(refused.code, 1, refused.stdout);
      const j = JSON.parse(refused.stdout);
      assert.equal(j.error.code, "conflict");
      assert.match(j.error.message, /2024-03-01T00:00:00Z is older than acme\/core-1's newest archived version \(collected 2024-07-10T10:00:00Z/);
      assert.match(j.error.message, /--force to archive it anyway as the newest version/);
      assert.equal(git(t.gitDir, ["rev-parse", "main"]).trim(), tip, "nothing archived");

      const forced = cli(["import", "-c", t.config, "acme/core-1", file, "--collected-at", "2024-03-01T00:00:00Z", "--force"]);
      assert.equal(forced.code, 0, forced.stdout + forced.stderr);
      assert.equal(JSON.parse(forced.stdout).result, "changed");
      assert.deepEqual(t.history("core-1.rsc").slice(-1)[0]!.slice(0, 2), ["2024-03-01T00:00:00Z", "import"]);
      assert.equal(t.decrypt("core-1.rsc"), normalize(V7, ROUTEROS));
      assert.equal(t.state("core-1").last_success, lastSuccess, "an older import never moves last_success back");
      fsckStrict(t.gitDir);
    });
  });

  it("Oxidized's per-group repositories: one <group>.git beside the default one", () => {
    const t = tenantSetup([{ id: "core-1" }, { id: "edge-1", group: "fra" }, { id: "edge-2", group: "ber" }]);
    const root = path.join(t.dir, "git-repos");
    const def = new OxidizedRepo(path.join(root, "default.git"));
    const fra = new OxidizedRepo(path.join(root, "fra.git"));
    const ber = new OxidizedRepo(path.join(root, "ber.git"));
    def.store({ name: "core-1", group: null }, "core-1", stored(V7, "7.17.2", day("2024-01-01")), day("2024-01-01"));
    fra.store({ name: "edge-1", group: "fra" }, "edge-1", stored(WIFI, "7.18.2", day("2024-01-02")), day("2024-01-02"));
    fra.store({ name: "edge-1", group: "fra" }, "edge-1", stored(withRule(WIFI, 1), "7.18.2", day("2024-01-03")), day("2024-01-03"));
    ber.store({ name: "edge-2", group: "ber" }, "edge-2", stored(V6, "6.48.4", day("2024-01-04")), day("2024-01-04"));
    // A node of the same name in another group's repository: the device's own group wins.
    ber.store({ name: "edge-1", group: "ber" }, "edge-1", stored(V6, "6.48.4", day("2024-01-05")), day("2024-01-05"));
    const { report } = t.migrate("oxidized", root);
    assert.deepEqual(report.repositories.map((r: any) => r.name), ["ber", "default", "fra"]);
    assert.deepEqual(t.history("core-1.rsc").map((r) => r[0]), ["2024-01-01T10:00:00Z"]);
    assert.deepEqual(t.history("fra/edge-1.rsc").map((r) => r[0]), ["2024-01-02T10:00:00Z", "2024-01-03T10:00:00Z"]);
    assert.deepEqual(t.history("ber/edge-2.rsc").map((r) => r[0]), ["2024-01-04T10:00:00Z"]);
    assert.deepEqual(report.skipped_nodes.map((s: any) => [s.repo, s.path, s.reason, s.device]), [["ber", "edge-1", "other_group", "edge-1"]]);
    assert.equal(t.decrypt("fra/edge-1.rsc"), normalize(withRule(WIFI, 1), ROUTEROS));
    fsckStrict(t.gitDir);
    assertNoPlaintext(t.gitDir, secretsOf(V7, V6, WIFI));
  });

  it("RANCID: its per-group git repositories and a CVS repository converted to git", () => {
    for (const layout of ["git", "cvs2git"] as const) {
      const t = tenantSetup([{ id: "core-1" }, { id: "edge-1", group: "fra" }, { id: "sw-cisco" }]);
      const cvs = path.join(t.dir, "rancid/CVS");
      const core = layout === "git" ? new RancidRepo(path.join(cvs, "core"), "", { "core-1": "mikrotik", "sw-cisco": "cisco" }) : new RancidRepo(path.join(t.dir, "rancid/converted.git"), "core/", { "core-1": "mikrotik", "sw-cisco": "cisco" });
      const fra = layout === "git" ? new RancidRepo(path.join(cvs, "fra"), "", { "edge-1": "routeros" }) : new RancidRepo(path.join(t.dir, "rancid/converted.git"), "fra/", { "edge-1": "routeros" });
      const cisco = `!RANCID-CONTENT-TYPE: cisco\n!\n${iosConfig("sw-cisco", "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0")}`;
      core.run({ "core-1": rancidStore(routerExport(V7, "7.17.2", day("2024-01-01")), "7.17.2", { legacy: true }), "sw-cisco": cisco }, day("2024-01-01"));
      fra.run({ "edge-1": rancidStore(routerExport(WIFI, "7.18.2", day("2024-01-01")), "7.18.2") }, day("2024-01-01"));
      core.run({ "core-1": rancidStore(routerExport(V7_NEW_SECRET, "7.17.2", day("2024-02-01")), "7.17.2", { legacy: true }) }, day("2024-02-01"));
      const { report } = t.migrate("rancid", layout === "git" ? cvs : path.join(t.dir, "rancid/converted.git"));
      assert.deepEqual(t.history("core-1.rsc").map((r) => r.slice(0, 2)), [["2024-01-01T10:00:00Z", "import"], ["2024-02-01T10:00:00Z", "import"]], layout);
      assert.deepEqual(t.history("fra/edge-1.rsc").map((r) => r[0]), ["2024-01-01T10:00:00Z"], layout);
      // RANCID's placeholder (an empty file committed as `new router`) and its cisco router are reported.
      const skipped = [...report.skipped_versions.map((s: any) => [s.device, s.reason]), ...report.skipped_nodes.map((s: any) => [s.device ?? s.node, s.reason])].sort();
      assert.deepEqual(skipped, [["core-1", "empty"], ["edge-1", "empty"], ["sw-cisco", "empty"], ["sw-cisco", "not_routeros"]], layout);
      const archived = t.decrypt("core-1.rsc");
      assert.match(archived, /^# RouterOS 7\.17\.2\n\/interface /, layout);
      assert.ok(archived.includes(NEW_SECRET), "the decrypted text holds the changed secret");
      fsckStrict(t.gitDir);
      assertNoPlaintext(t.gitDir, secretsOf(V7, V7_NEW_SECRET, WIFI));
    }
  });

  it("devices from an inventory source's last good list are targets too", async () => {
    const t = tenantSetup([{ id: "core-1" }]);
    const routerDb = path.join(t.dir, "router.db");
    writeFileSync(routerDb, "edge-9:10.0.9.9:routeros:fra\n");
    writeFileSync(t.config, readFileSync(t.config, "utf8").replace(/^ {4}devices:$/m, `    inventory:\n      - { type: file, name: oxidized, path: ${routerDb}, format: router.db, delimiter: ":" }\n    devices:`));
    // What a running service keeps of its last sync of that source.
    await new SourceStateStore(path.join(t.dir, "state")).put("acme", "oxidized", { ...NEW_SOURCE, records: [{ id: "edge-9", host: "10.0.9.9", group: "fra" }] });
    const ox = new OxidizedRepo(path.join(t.dir, "ox.git"));
    ox.storeNode("edge-9", "fra", stored(WIFI, "7.18.2", day("2024-01-01")), day("2024-01-01"));
    const { report } = t.migrate("oxidized", path.join(t.dir, "ox.git"));
    assert.deepEqual(report.devices.map((d: any) => [d.device, d.committed]), [["edge-9", 1]]);
    assert.deepEqual(t.history("fra/edge-9.rsc").map((r) => r.slice(0, 2)), [["2024-01-01T10:00:00Z", "import"]]);
  });

  it("bad input: a clear error, nothing written", () => {
    const t = tenantSetup([{ id: "core-1" }]);
    const run = (args: string[]) => cli(["migrate", ...args]);
    const cases: Array<[string[], RegExp]> = [
      [["oxidized", "--repo", path.join(t.dir, "nope"), "-c", t.config], /no such folder/],
      [["oxidized", "--repo", t.dir, "-c", t.config], /neither a git repository nor a folder of git repositories/],
      [["cvs", "--repo", t.dir, "-c", t.config], /unknown source tool "cvs": give oxidized or rancid/],
      [["oxidized", "-c", t.config], /missing --repo/],
      [["oxidized", "--repo", t.dir, "-c", t.config, "--tenant", "other"], /tenant other is not in the config/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, message);
    }
    assert.ok(!existsSync(t.gitDir), "no repository was created");
    const help = run(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: rosarchive migrate oxidized\|rancid --repo PATH \[--tenant T\] -c FILE \[--json\]/);
  });

  it("shows progress on a terminal and a summary for people without --json", () => {
    const t = tenantSetup([{ id: "core-1" }]);
    const ox = new OxidizedRepo(path.join(t.dir, "ox.git"));
    for (let i = 0; i < 5; i++) ox.storeNode("core-1", null, stored(withRule(V7, i), "7.17.2", day(`2024-01-0${i + 1}`)), day(`2024-01-0${i + 1}`));
    // `script` gives the command a terminal, as an operator's shell would.
    const out = execFileSync("script", ["-qec", `${process.execPath} ${BIN} migrate oxidized --repo ${path.join(t.dir, "ox.git")} -c ${t.config}`, "/dev/null"], { encoding: "utf8", env: { ...process.env, COLUMNS: "120" } });
    assert.match(out, /\rmigrate: 5\/5 versions, 5 committed/);
    assert.match(out, /oxidized history into tenant acme: 1 repository, 1 file, 1 device matched/);
    assert.match(out, /core-1 +5 committed, 0 unchanged, 0 not newer, 0 skipped +<- core-1/);
  });
});
