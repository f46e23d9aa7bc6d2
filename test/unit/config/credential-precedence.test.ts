import assert from "node:assert/strict";
import { loadConfig, ConfigError, type DeviceConfig } from "../../../src/config/index.js";

const RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
const BASE = "/cfg";
const KINDS = ["password", "password_env", "password_file", "private_key_file"] as const;
type Kind = (typeof KINDS)[number] | null;
/** Nearest first, as the README documents the order. */
const LEVELS = ["device", "device-set", "tenant-defaults", "global-defaults"] as const;
type Level = (typeof LEVELS)[number];

/** A value that says where it was written, so the winner is read off the result. */
function valueOf(level: Level, kind: Exclude<Kind, null>): string {
  const v = `${level.replace(/-/g, "_").toUpperCase()}_${kind.toUpperCase()}`;
  return kind === "password_file" || kind === "private_key_file" ? `${v}.txt` : v;
}
function expected(level: Level, kind: Exclude<Kind, null>): string {
  const v = valueOf(level, kind);
  return kind === "password_file" || kind === "private_key_file" ? `${BASE}/${v}` : v;
}

function flow(o: Record<string, string | null | undefined>): string {
  const parts = Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v === null ? "null" : JSON.stringify(v)}`);
  return `{ ${parts.join(", ")} }`;
}

function load(p: { device?: Record<string, string | null>; deviceSet?: Record<string, string>; tenantDefaults?: Record<string, string | null>; globalDefaults?: Record<string, string | null>; tenantSet?: Record<string, string>; globalSet?: Record<string, string> }): DeviceConfig {
  const sets: Record<string, Record<string, string>> = {};
  if (p.deviceSet) sets["dev-set"] = p.deviceSet;
  if (p.tenantSet) sets["tenant-set"] = p.tenantSet;
  if (p.globalSet) sets["global-set"] = p.globalSet;
  const text = `encryption: { recipients: [${RECIPIENT}] }
credentials:
${Object.entries(sets).map(([n, s]) => `  ${n}: ${flow(s)}`).join("\n") || "  {}"}
defaults: ${flow({ ...p.globalDefaults, ...(p.globalSet && { credentials: "global-set" }) })}
tenants:
  acme:
    defaults: ${flow({ ...p.tenantDefaults, ...(p.tenantSet && { credentials: "tenant-set" }) })}
    devices:
      - ${flow({ id: "r1", host: "127.0.0.1", ...p.device, ...(p.deviceSet && { credentials: "dev-set" }) })}
`.replace("credentials:\n  {}", "credentials: {}");
  return loadConfig(text, { baseDir: BASE }).tenants.get("acme")!.deviceById.get("r1")!;
}

function blockOf(level: Level, kind: Kind): Record<string, string> | undefined {
  return kind === null ? undefined : { [kind]: valueOf(level, kind) };
}

describe("credential precedence: what a device sets wins, whatever the kind", () => {
  it("every combination of kinds at device, device's set, tenant defaults and global defaults: the nearest level that sets a source supplies it whole", () => {
    const choices: Kind[] = [null, ...KINDS];
    let checked = 0;
    for (const d of choices)
      for (const ds of choices)
        for (const t of choices)
          for (const g of choices) {
            const kinds: Record<Level, Kind> = { device: d, "device-set": ds, "tenant-defaults": t, "global-defaults": g };
            const device = load({
              ...(d && { device: blockOf("device", d) }),
              ...(ds && { deviceSet: blockOf("device-set", ds) }),
              ...(t && { tenantDefaults: blockOf("tenant-defaults", t) }),
              ...(g && { globalDefaults: blockOf("global-defaults", g) }),
            });
            const winner = LEVELS.find((l) => kinds[l] !== null);
            const want = winner ? { [kinds[winner]!]: expected(winner, kinds[winner]!) } : {};
            assert.deepEqual({ ...device.credentials }, want, `device=${d} set=${ds} tenant=${t} global=${g}`);
            checked++;
          }
    assert.equal(checked, 625);
  });

  it("the tenant's own set sits between the tenant's inline defaults and the global defaults", () => {
    for (const k of KINDS) {
      // tenant inline beats tenant set
      assert.deepEqual({ ...load({ tenantDefaults: { password_env: "T_INLINE" }, tenantSet: { [k]: valueOf("tenant-defaults", k) } }).credentials }, { password_env: "T_INLINE" });
      // tenant set beats global inline and global set
      assert.deepEqual({ ...load({ tenantSet: { [k]: valueOf("tenant-defaults", k) }, globalDefaults: { password: "G" }, globalSet: { password_env: "GS" } }).credentials }, { [k]: expected("tenant-defaults", k) });
      // global inline beats global set
      assert.deepEqual({ ...load({ globalDefaults: { [k]: valueOf("global-defaults", k) }, globalSet: { password: "GS" } }).credentials }, { [k]: expected("global-defaults", k) });
      // global set alone
      assert.deepEqual({ ...load({ globalSet: { [k]: valueOf("global-defaults", k) } }).credentials }, { [k]: expected("global-defaults", k) });
    }
  });

  it("a device's password is not joined by an inherited password_env (the first-day bug)", () => {
    const d = load({ device: { password: "mine" }, globalDefaults: { password_env: "ROUTER_PASSWORD", private_key_file: "k" } });
    assert.deepEqual({ ...d.credentials }, { password: "mine" });
  });

  it("`key: null` on the device or the tenant's defaults cancels that key from every farther level, for every kind", () => {
    for (const k of KINDS) {
      for (const other of KINDS.filter((x) => x !== k)) {
        // Cancelled at the device: the tenant's `k` is skipped; the global defaults' other kind supplies the source.
        const d = load({ device: { [k]: null }, tenantDefaults: { [k]: valueOf("tenant-defaults", k) }, globalDefaults: { [other]: valueOf("global-defaults", other) } });
        assert.deepEqual({ ...d.credentials }, { [other]: expected("global-defaults", other) }, `${k} cancelled, ${other} inherited`);
        // A level that sets `k` and `other`: only `k` is cancelled.
        const mixed = load({ device: { [k]: null }, globalDefaults: { [k]: valueOf("global-defaults", k), ...(k.startsWith("password") && other.startsWith("password") ? {} : { [other]: valueOf("global-defaults", other) }) } });
        const wantMixed = k.startsWith("password") && other.startsWith("password") ? {} : { [other]: expected("global-defaults", other) };
        assert.deepEqual({ ...mixed.credentials }, wantMixed, `${k} cancelled beside ${other}`);
      }
      // Cancelled in the tenant's defaults: the global one is gone for this tenant.
      assert.deepEqual({ ...load({ tenantDefaults: { [k]: null }, globalDefaults: { [k]: valueOf("global-defaults", k) } }).credentials }, {});
      // Cancelled, and the device sets its own: its own wins.
      assert.deepEqual({ ...load({ device: { [k]: valueOf("device", k) }, tenantDefaults: { [k]: null }, globalDefaults: { [k]: valueOf("global-defaults", k) } }).credentials }, { [k]: expected("device", k) });
    }
  });

  it("`credentials: null` stops the sets named by the defaults", () => {
    const text = `encryption: { recipients: [${RECIPIENT}] }
credentials: { shared: { username: admin, password_env: SHARED } }
defaults: { credentials: shared }
tenants:
  acme:
    devices:
      - { id: r1, host: 127.0.0.1, credentials: null, password_file: ./r1.pw }
      - { id: r2, host: 127.0.0.1 }
`;
    const t = loadConfig(text, { baseDir: BASE }).tenants.get("acme")!;
    assert.deepEqual({ ...t.deviceById.get("r1")!.credentials }, { password_file: "/cfg/r1.pw" });
    assert.equal(t.deviceById.get("r1")!.username, "backup");
    assert.deepEqual({ ...t.deviceById.get("r2")!.credentials }, { password_env: "SHARED" });
    assert.equal(t.deviceById.get("r2")!.username, "admin");
  });

  it("a passphrase travels with its key; the user name comes from the nearest level that sets one", () => {
    const d = load({ device: { username: "dev-user" }, deviceSet: { private_key_file: "id_ed25519", passphrase_env: "KEY_PASS" }, globalDefaults: { username: "g", passphrase_env: "OTHER", private_key_file: "g.key" } });
    assert.deepEqual({ ...d.credentials }, { private_key_file: "/cfg/id_ed25519", passphrase_env: "KEY_PASS" });
    assert.equal(d.username, "dev-user");
    assert.equal(load({ deviceSet: { username: "set-user", password: "x" }, tenantDefaults: { username: "t" } }).username, "set-user");
    assert.equal(load({}).username, "backup");
  });

  it("refuses two password kinds at one level, a passphrase without its key, and an unknown set, naming the key path", () => {
    const bad = (device: string, extra = "") => {
      try {
        loadConfig(`encryption: { recipients: [${RECIPIENT}] }\n${extra}tenants:\n  acme:\n    devices:\n      - { id: r1, host: h, ${device} }\n`, { baseDir: BASE });
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems.map((p) => `${p.path}: ${p.message}`).join("\n");
      }
      assert.fail(`accepted ${device}`);
    };
    assert.match(bad("password: a, password_env: B"), /tenants\.acme\.devices\[0\]\.password_env: set only one of password, password_env/);
    assert.match(bad("passphrase_env: P"), /tenants\.acme\.devices\[0\]\.passphrase_env: needs private_key_file/);
    assert.match(bad("credentials: nope"), /tenants\.acme\.devices\[0\]\.credentials: no credential set named "nope"/);
    assert.match(bad("password: a", "credentials: { s: { password: a, password_file: f } }\n"), /credentials\.s\.password_file: set only one/);
    assert.match(bad("password: a", "defaults: { credentials: missing }\n"), /defaults\.credentials: no credential set named "missing"/);
  });
});
