import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../../src/config/index.js";
import { silentLogger } from "../../src/observe/index.js";
import { NO_EVENTS } from "../../src/notify/index.js";
import { createPipelineContext, importExport } from "../../src/pipeline/index.js";
import { PolicyRunner, PolicyStore } from "../../src/policy/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { RUN_TIMING } from "../../src/scheduler/index.js";
import { FIXTURES, REPO_ROOT, tempDir } from "../helpers/tmp.js";

/**
 * The policy checks config.example.yaml ships, evaluated as they are written
 * there against real exports: each says what its comment says it says.
 */
describe("policy: the examples of config.example.yaml on real exports", function () {
  this.timeout(60_000);

  it("telnet, SSH crypto, NTP client, admin without password, SNMP default community: the verdicts their comments promise", async () => {
    const dir = tempDir();
    // The example as shipped, its folders made relative to a temporary one.
    const config = loadConfig(readFileSync(path.join(REPO_ROOT, "config.example.yaml"), "utf8"), { baseDir: dir });
    const acme = config.tenants.get("acme")!;
    assert.deepEqual(acme.policy.map((c) => c.name), ["telnet-disabled", "ssh-strong-crypto", "ntp-client-enabled", "no-admin-without-password", "snmp-default-community-restricted"]);
    const ctx = createPipelineContext({ config: () => config, platform: ROUTEROS, timing: RUN_TIMING, log: silentLogger(), events: NO_EVENTS, env: {}, fsync: false });
    const store = new PolicyStore(config.stateDir);
    const runner = new PolicyRunner({ config: () => config, repos: ctx.repos, store, events: NO_EVENTS, log: silentLogger(), clock: Date.now, ids: () => "id", sectionOf: ROUTEROS.sectionOf });
    const archive = async (device: string, text: string) => {
      const file = path.join(dir, `${device}-${Date.now()}.rsc`);
      writeFileSync(file, text);
      await importExport(ctx, acme.deviceById.get(device)!, file);
    };
    const verdicts = async (device: string) => {
      const r = await store.get("acme", device);
      return Object.fromEntries(Object.entries(r!.checks).map(([k, v]) => [k, v.status]));
    };
    try {
      const v7 = readFileSync(path.join(FIXTURES, "v7.17.2-chr-verbose-sensitive.rsc"), "utf8");
      const v6 = readFileSync(path.join(FIXTURES, "v6.46.6-rb2011-capsman.rsc"), "utf8");
      // core-1 (group fra): a v7 router with telnet on, weak SSH crypto, its NTP client off, the default community open to ::/0.
      await archive("core-1", v7);
      // edge-7 (no group): a v6 router with telnet off, and a hand-written admin line with an empty password.
      await archive("edge-7", `${v6}/user\nadd group=full name=admin password=""\n`);
      await runner.run("acme");
      assert.deepEqual(await verdicts("core-1"), {
        "telnet-disabled": "fail",
        "ssh-strong-crypto": "fail",
        "ntp-client-enabled": "fail",
        "no-admin-without-password": "pass",
        "snmp-default-community-restricted": "fail",
      });
      assert.deepEqual(await verdicts("edge-7"), {
        "telnet-disabled": "pass",
        "ssh-strong-crypto": "fail", // v6 prints no /ip ssh line at its default (strong-crypto=no)
        "ntp-client-enabled": "fail",
        "no-admin-without-password": "fail",
        // the SNMP check's scope is group fra: no result
      });
      // The community name is sealed: the failing line shows its ciphertext, and `public` nowhere.
      const snmp = (await store.get("acme", "core-1"))!.checks["snmp-default-community-restricted"]!;
      assert.match(snmp.line!.text, /^set \[ find default=yes \] addresses=::\/0 .* name=age:[A-Za-z0-9_-]+ /);
      assert.doesNotMatch(snmp.line!.text, /public/);

      // Fixed on both: telnet off and SSH strong crypto on core-1, NTP on (v7 spelling); a password for edge-7's admin (sealed).
      await archive(
        "core-1",
        v7
          .replace('set telnet address="" disabled=no', 'set telnet address="" disabled=yes')
          .replace("strong-crypto=no", "strong-crypto=yes")
          .replace('set enabled=no mode=unicast servers=""', "set enabled=yes mode=unicast servers=192.0.2.1"),
      );
      await archive("edge-7", `${v6}/system ntp client\nset enabled=yes primary-ntp=192.0.2.1\n/user\nadd group=full name=admin password=not-empty-any-more\n`);
      await runner.idle();
      await runner.run("acme");
      assert.deepEqual(await verdicts("core-1"), {
        "telnet-disabled": "pass",
        "ssh-strong-crypto": "pass",
        "ntp-client-enabled": "pass",
        "no-admin-without-password": "pass",
        "snmp-default-community-restricted": "fail",
      });
      const edge = await verdicts("edge-7");
      assert.equal(edge["ntp-client-enabled"], "pass", "the v6 spelling too");
      assert.equal(edge["no-admin-without-password"], "pass", "a password set (and sealed) is not empty");
    } finally {
      await runner.idle();
      await ctx.repos.closeAll();
    }
  });
});
