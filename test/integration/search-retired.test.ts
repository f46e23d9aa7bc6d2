import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startService, type RunningService } from "../../src/cli/start-service.js";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { importExport } from "../../src/pipeline/index.js";
import { generateIdentityPair } from "../../src/seal/index.js";
import { bearer, getJson } from "../helpers/api.js";
import { FIXTURES, tempDir } from "../helpers/tmp.js";
import { until } from "../helpers/wait.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");

/**
 * A device that left the config is retired: its file is removed from main,
 * its history stays. Search still finds it where it stood (at a date, in
 * history), not at latest; its policy results go with it.
 */
describe("search: retired devices, in the real service", function () {
  this.timeout(120_000);
  const dir = tempDir();
  const viewer = randomBytes(18).toString("base64url");
  let svc: RunningService;
  let recipient = "";
  let base = "";

  const text = (devices: string[]) => `listen: 127.0.0.1:0
data_dir: ${dir}/repos
state_dir: ${dir}/state
hooks_dir: ${dir}/hooks
encryption: { recipients: [${recipient}] }
defaults: { username: backup, password: not-a-real-secret, enabled: false }
tenants:
  acme:
    tokens: [{ name: noc, role: viewer, sha256: "${sha(viewer)}" }]
    policy:
      - { name: telnet-disabled, severity: critical, section: /ip service, must_contain: ['^set telnet( .*)? disabled=yes( |$)'] }
    devices:
${devices.map((d) => `      - { id: ${d}, host: 127.0.0.1, port: 1 }`).join("\n")}
`;
  const search = (q: string) => getJson(`${base}/search?${q}`, bearer(viewer));

  before(async () => {
    recipient = (await generateIdentityPair()).recipient;
    svc = await startService(loadConfig(text(["keep-1", "gone-2"]), { baseDir: dir }), {}, { log: silentLogger(), listen: { host: "127.0.0.1", port: 0 }, scheduler: { tickMs: 2 ** 31 - 1 } });
    base = `${svc.url}/api/v1/tenants/acme`;
    const v7 = readFileSync(path.join(FIXTURES, "v7.17.2-chr-verbose-sensitive.rsc"), "utf8");
    for (const [id, note] of [["keep-1", "kept"], ["gone-2", "leaving"]] as const) {
      const file = path.join(dir, `${id}.rsc`);
      writeFileSync(file, `${v7}/system note\nset note="${note}"\n`);
      await importExport(svc.ctx, svc.ctx.config().tenants.get("acme")!.deviceById.get(id)!, file);
    }
    await until("both evaluated", 30_000, async () => ((await getJson(`${base}/devices`, bearer(viewer))).body.devices.every((d: any) => d.policy?.pending === 0) ? true : undefined));
    await svc.reload(loadConfig(text(["keep-1"]), { baseDir: dir }));
    await until("gone-2 retired", 60_000, async () => ((await getJson(`${base}/devices?state=retired`, bearer(viewer))).body.devices?.some((d: any) => d.id === "gone-2") ? true : undefined));
  });
  after(() => svc?.close());

  it("at latest a retired device has nothing to find; its history shows when its lines went", async () => {
    const latest = await search("q=set%20note%3D%22leaving%22");
    assert.deepEqual(latest.body.hits, []);
    const history = await search("history=true&q=set%20note%3D%22leaving%22");
    assert.equal(history.status, 200);
    const gone = (history.body.devices as any[]).find((d) => d.device === "gone-2");
    assert.ok(gone, "the retired device's history is searched");
    const retiredCommit = (await getJson(`${base}/devices?state=retired`, bearer(viewer))).body.devices.find((d: any) => d.id === "gone-2").retired_commit;
    assert.equal(gone.spans[0].disappeared.commit, retiredCommit, "the line went with the retirement commit");
  });

  it("a retired device has no policy summary", async () => {
    const retired = (await getJson(`${base}/devices?state=retired`, bearer(viewer))).body.devices.find((d: any) => d.id === "gone-2");
    assert.equal(retired.policy, null);
    const p = await getJson(`${base}/policy`, bearer(viewer));
    assert.deepEqual(p.body.devices.map((d: any) => d.device), ["keep-1"]);
  });
});
