import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BIN } from "../helpers/cli.js";
import { REPO_ROOT, tempDir } from "../helpers/tmp.js";

const UNIT = path.join(REPO_ROOT, "deploy/systemd/rosarchive.service");
const ANALYZE = "/usr/bin/systemd-analyze";

/** `Key=value` lines of the [Service] section. */
function serviceSettings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = "";
  for (const line of text.split("\n")) {
    const s = /^\[(\w+)\]$/.exec(line.trim());
    if (s) section = s[1]!;
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv && section === "Service") out.set(kv[1]!, [...(out.get(kv[1]!) ?? []), kv[2]!]);
  }
  return out;
}

describe("systemd unit: deploy/systemd/rosarchive.service", function () {
  this.timeout(60_000);
  const text = readFileSync(UNIT, "utf8");
  const s = serviceSettings(text);

  it("runs serve as its own user, confined to its state folder, reloads with SIGHUP and checks /healthz", () => {
    assert.deepEqual(s.get("User"), ["rosarchive"]);
    assert.deepEqual(s.get("ExecStart"), ["/usr/bin/rosarchive serve -c /etc/rosarchive/config.yaml"]);
    assert.deepEqual(s.get("ExecReload"), ["/bin/kill -HUP $MAINPID"]);
    assert.match(s.get("ExecStartPost")?.[0] ?? "", /^\/usr\/bin\/rosarchive healthz -c \/etc\/rosarchive\/config\.yaml --wait \d+$/);
    for (const [k, v] of [["NoNewPrivileges", "yes"], ["ProtectSystem", "strict"], ["PrivateTmp", "yes"], ["ProtectHome", "yes"], ["StateDirectory", "rosarchive"], ["ReadWritePaths", "/var/lib/rosarchive"], ["CapabilityBoundingSet", ""], ["UMask", "0077"]]) {
      assert.deepEqual(s.get(k!), [v], `${k}=${v}`);
    }
    assert.ok(!s.has("MemoryDenyWriteExecute"), "V8's JIT needs W+X memory");
  });

  it("passes systemd-analyze verify", function () {
    if (!existsSync(ANALYZE)) {
      console.warn("    (skipped: systemd-analyze is not installed; Debian package systemd)");
      this.skip();
    }
    // verify checks that ExecStart's program exists: the same unit with this checkout's executable in its place.
    const dir = tempDir();
    const copy = path.join(dir, "rosarchive.service");
    writeFileSync(copy, text.replaceAll("/usr/bin/rosarchive", BIN));
    const r = spawnSync(ANALYZE, ["verify", copy], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), "", "no warning (an unknown or misspelt key is only a warning)");
  });
});
