import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { readConfigFile } from "../../src/cli/load.js";
import { silentLogger } from "../../src/observe/index.js";
import type { Simulator } from "../../src/simulator/index.js";
import { bearer, getJson } from "../helpers/api.js";
import { cliAsync, keygen } from "../helpers/cli.js";
import { commitCount, fsckStrict, git } from "../helpers/git.js";
import { readFixture, startDevices, TEST_PASSWORD, V7_FIXTURE } from "../helpers/simulator.js";
import { tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/** Writes a file the way editors and exports do: a temp file renamed over the old one. */
function replaceFile(file: string, text: string): void {
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

describe("inventory: a file source changing on disk, against a real service", function () {
  this.timeout(180_000);
  let sim: Simulator;
  let service: RunningService;
  let dir: string;
  let csv: string;
  let configFile: string;
  let configText: (devices: string) => string;
  const admin = randomBytes(18).toString("base64url");
  const gitDir = () => path.join(dir, "repos/acme.git");
  const api = (p: string) => getJson(`${service.url}/api/v1/tenants/acme${p}`, bearer(admin));
  const row = (id: string, group = "") => `${id},127.0.0.1,${sim.devices.get(id)!.port},${group},lab`;
  const lastSubject = (file: string) => git(gitDir(), ["log", "-1", "--format=%s", "main", "--", file]).trim();

  before(async () => {
    sim = await startDevices(5);
    dir = tempDir("rosarchive-inventory-");
    const keys = keygen(dir);
    csv = path.join(dir, "routers.csv");
    writeFileSync(csv, `# from the CMDB\nid,host,port,group,site\n${row("dev-1", "fra")}\n${row("dev-2")}\n`);
    configText = (devices) => `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
encryption:
  recipients: [${keys.recipient}]
schedule: { interval: 8s, concurrency: 4, connect_timeout: 5s, command_timeout: 20s }
credentials:
  lab: { username: backup, password_env: LAB_PASSWORD }
tenants:
  acme:
    defaults: { credentials: lab }
    inventory:
      - { type: file, name: cmdb, path: ./routers.csv, interval: 1h, max_removal: 50% }
    tokens:
      - { name: admin, role: admin, sha256: "${sha(admin)}" }
    devices: ${devices}
`;
    configFile = path.join(dir, "config.yaml");
    writeFileSync(configFile, configText(`[{ id: dev-0, host: 127.0.0.1, port: ${sim.devices.get("dev-0")!.port} }]`));
    service = await startService(readConfigFile(configFile), { LAB_PASSWORD: TEST_PASSWORD }, { log: silentLogger(), scheduler: { tickMs: 100 } });
  });
  after(async () => {
    await service?.close();
    await sim?.stop();
  });

  it("lists the file's devices beside the config's, with source and site, and backs them up", async () => {
    const r = await until("the source's devices in the API", 60_000, async () => {
      const got = await api("/devices");
      return got.body.devices?.length === 3 ? got : undefined;
    });
    assert.deepEqual(
      r.body.devices.map((d: any) => [d.id, d.source, d.site, d.path]),
      [
        ["dev-0", "config", "default", "dev-0.rsc"],
        ["dev-1", "cmdb", "lab", "fra/dev-1.rsc"],
        ["dev-2", "cmdb", "lab", "dev-2.rsc"],
      ],
    );
    // Backed up (with an 8 s interval their stable slot comes soon; first backups of new devices are the scheduler's).
    await until("dev-1 and dev-2 archived", 120_000, () => (existsIn(gitDir(), "fra/dev-1.rsc") && existsIn(gitDir(), "dev-2.rsc") ? true : undefined));
    const sources = await api("/inventory");
    assert.equal(sources.status, 200);
    assert.deepEqual(
      sources.body.sources.map((s: any) => [s.name, s.type, s.state, s.devices, s.result]),
      [["cmdb", "file", "ok", 2, "changed"]],
    );
  });

  it("commands run by hand see the source's devices too: status lists them, backup and unblock find them", async () => {
    const env = { LAB_PASSWORD: TEST_PASSWORD };
    const status = await cliAsync(["status", "-c", configFile, "acme", "--json"], { env });
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout).devices.map((d: any) => d.id), ["dev-0", "dev-1", "dev-2"]);
    const backup = await cliAsync(["backup", "-c", configFile, "acme/dev-1"], { env });
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /"device":"dev-1"/);
    const unblock = await cliAsync(["unblock", "-c", configFile, "acme/dev-2"], { env });
    assert.doesNotMatch(unblock.stderr, /not in tenant/);
    const missing = await cliAsync(["backup", "-c", configFile, "acme/dev-9"], { env });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr + missing.stdout, /device dev-9 is not in tenant acme of the config or its inventory sources' last sync/);
  });

  it("a device added to the file is backed up soon", async () => {
    replaceFile(csv, `id,host,port,group,site\n${row("dev-1", "fra")}\n${row("dev-2")}\n${row("dev-3")}\n`);
    await until("dev-3 listed", 30_000, async () => ((await api("/devices/dev-3")).status === 200 ? true : undefined));
    await until("dev-3 archived", 120_000, () => (existsIn(gitDir(), "dev-3.rsc") ? true : undefined));
    assert.equal(lastSubject("dev-3.rsc"), "dev-3: initial snapshot");
  });

  it("a device removed from the file is retired: one commit removes its file, history, state and pin stay readable", async () => {
    const pinned = JSON.parse(readFileSync(path.join(dir, "state/devices/acme/dev-2.json"), "utf8")).host_key;
    assert.match(pinned, /^SHA256:/);
    const before = commitCount(gitDir(), "dev-2.rsc");
    replaceFile(csv, `id,host,port,group,site\n${row("dev-1", "fra")}\n${row("dev-3")}\n`);
    await until("dev-2 retired", 60_000, () => (lastSubject("dev-2.rsc") === "dev-2: retired from inventory" ? true : undefined));
    fsckStrict(gitDir());
    assert.equal(existsIn(gitDir(), "dev-2.rsc"), false);
    assert.equal(commitCount(gitDir(), "dev-2.rsc"), before + 1);
    const retire = git(gitDir(), ["log", "-1", "--format=%H%n%B", "main", "--", "dev-2.rsc"]);
    assert.match(retire, /^Device: dev-2$/m);
    assert.match(retire, /^Host: 127\.0\.0\.1$/m);
    assert.match(retire, /^Trigger: retire$/m);
    assert.match(retire, /^RouterOS-Version: 7\.17\.2$/m);
    assert.equal(git(gitDir(), ["show", "--name-status", "--format=", retire.split("\n")[0]!]).trim(), "D\tdev-2.rsc");

    // Listed only when asked for, as retired; the device, its history and its last snapshot still answer.
    assert.deepEqual((await api("/devices")).body.devices.map((d: any) => d.id), ["dev-0", "dev-1", "dev-3"]);
    const retired = await api("/devices?state=retired");
    assert.deepEqual(retired.body.devices.map((d: any) => [d.id, d.status, d.source, d.retired_commit]), [["dev-2", "retired", "cmdb", retire.split("\n")[0]]]);
    assert.equal((await api("/devices?state=all")).body.devices.length, 4);
    const one = await api("/devices/dev-2");
    assert.equal(one.status, 200);
    assert.equal(one.body.status, "retired");
    assert.equal(one.body.host_key, pinned);
    const history = await api("/devices/dev-2/history");
    assert.equal(history.status, 200);
    assert.deepEqual(history.body.entries.map((e: any) => [e.trigger, e.summary]).slice(0, 2), [["retire", "retired from inventory"], ["scheduled", "initial snapshot"]]);
    assert.ok(history.body.entries[0].stats.removed > 100);
    const file = await fetch(`${service.url}/api/v1/tenants/acme/devices/dev-2/config`, { headers: bearer(admin) });
    assert.equal(file.status, 200);
    assert.match(await file.text(), /^# RouterOS 7\.17\.2/m);
    // Its state and host-key pin are kept.
    assert.equal(JSON.parse(readFileSync(path.join(dir, "state/devices/acme/dev-2.json"), "utf8")).host_key, pinned);
    // Retired devices are not backed up, nor can they be.
    assert.equal((await fetch(`${service.url}/api/v1/tenants/acme/devices/dev-2/backup`, { method: "POST", headers: bearer(admin) })).status, 404);
    const events = service.bus.since("acme", 0).filter((m) => m.event === "device.retired").map((m) => JSON.parse(m.data));
    assert.deepEqual(events.map((e) => [e.device, e.source, e.commit]), [["dev-2", "cmdb", retire.split("\n")[0]]]);
  });

  it("a device that returns continues its history on the same path", async () => {
    const before = commitCount(gitDir(), "dev-2.rsc");
    sim.setExport("dev-2", `${readFixture(V7_FIXTURE)}\n/system note\nset note="back again"\n`);
    replaceFile(csv, `id,host,port,group,site\n${row("dev-1", "fra")}\n${row("dev-2")}\n${row("dev-3")}\n`);
    await until("dev-2 archived again", 120_000, () => (existsIn(gitDir(), "dev-2.rsc") ? true : undefined));
    fsckStrict(gitDir());
    assert.equal(commitCount(gitDir(), "dev-2.rsc"), before + 1);
    const d = await api("/devices/dev-2");
    assert.notEqual(d.body.status, "retired");
    assert.equal((await api("/devices?state=retired")).body.devices.length, 0);
    const history = await api("/devices/dev-2/history");
    assert.deepEqual(history.body.entries.map((e: any) => e.trigger).slice(0, 3), ["scheduled", "retire", "scheduled"]);
  });

  it("a device removed from the config file is retired from config (SIGHUP reload)", async () => {
    await until("dev-0 archived", 120_000, () => (existsIn(gitDir(), "dev-0.rsc") ? true : undefined));
    writeFileSync(configFile, configText("[]"));
    await service.reload(readConfigFile(configFile));
    await until("dev-0 retired", 60_000, () => (lastSubject("dev-0.rsc") === "dev-0: retired from config" ? true : undefined));
    fsckStrict(gitDir());
    const retired = await api("/devices?state=retired");
    assert.deepEqual(retired.body.devices.map((d: any) => [d.id, d.source]), [["dev-0", "config"]]);
  });

  it("a reload that lists an id the file source also lists is refused naming both, and the old config stays", async () => {
    writeFileSync(configFile, configText(`[{ id: dev-3, host: 127.0.0.1, port: 1 }]`));
    await assert.rejects(service.reload(readConfigFile(configFile)), /device dev-3 is listed by the config file and by inventory source cmdb/);
    assert.equal((await api("/devices/dev-3")).body.source, "cmdb");
  });

  it("the metrics show the source up, its devices and the retired ones", async () => {
    const m = await (await fetch(`${service.url}/metrics`)).text();
    assert.match(m, /^rosarchive_inventory_source_up\{tenant="acme",source="cmdb"\} 1$/m);
    assert.match(m, /^rosarchive_inventory_devices\{tenant="acme",source="cmdb"\} 3$/m);
    assert.match(m, /^rosarchive_devices\{tenant="acme",state="retired"\} 1$/m);
    assert.match(m, /^rosarchive_devices_retired_total\{tenant="acme"\} 2$/m);
  });
});

function existsIn(gitDir: string, file: string): boolean {
  if (!existsSync(gitDir)) return false;
  return git(gitDir, ["ls-tree", "-r", "--name-only", "main"]).split("\n").includes(file);
}
