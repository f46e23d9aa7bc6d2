import assert from "node:assert/strict";
import { SENSITIVE_PARAMS } from "../../../src/routeros/sensitive.js";
import { isSensitive } from "../../../src/seal/index.js";

const s = (menu: string | null, name: string) => isSensitive(menu, name, SENSITIVE_PARAMS);

describe("routeros SENSITIVE_PARAMS", () => {
  it("covers the catalogued names in every menu", () => {
    const spec = [
      "password", "secret", "private-key", "preshared-key", "wpa-pre-shared-key", "wpa2-pre-shared-key",
      "passphrase", "ipsec-secret", "tcp-md5-key", "auth-key", "authentication-key", "authentication-password",
      "encryption-password", "shared-secret", "static-key-0", "static-key-1", "static-key-2", "static-key-3",
    ];
    for (const name of spec) assert.ok(s("/anything", name), name);
  });

  it("covers RouterOS menus that hold secrets", () => {
    const cases: Array<[string, string]> = [
      ["/interface wireless access-list", "private-pre-shared-key"],
      ["/caps-man access-list", "private-passphrase"],
      ["/interface wireless security-profiles", "mschapv2-password"],
      ["/interface wifi", "security.passphrase"],
      ["/interface wifi security", "passphrase"],
      ["/container config", "password"],
      ["/tool e-mail", "password"],
      ["/ip smb users", "password"],
      ["/ip socks users", "password"],
      ["/ip hotspot user", "password"],
      ["/ppp secret", "password"],
      ["/interface l2tp-client", "password"],
      ["/interface pppoe-client", "password"],
      ["/snmp community", "name"],
      ["/snmp", "trap-community"],
      ["/radius", "secret"],
      ["/interface wireguard", "private-key"],
      ["/interface wireguard peers", "preshared-key"],
      ["/routing bgp connection", "tcp-md5-key"],
      ["/routing ospf interface-template", "auth-key"],
      ["/interface vrrp", "password"],
      ["/tool romon", "secrets"],
      ["/interface lte apn", "password"],
      ["/routing rip keys", "key"],
    ];
    for (const [menu, name] of cases) assert.ok(s(menu, name), `${menu} ${name}`);
  });

  it("matches whole names only", () => {
    for (const name of ["always-allow-password-login", "policy", "public-key", "minimum-password-length", "host-key-size", "static-transmit-key", "allow-sharedkey", "mschapv2-username"]) {
      assert.equal(s("/ip ssh", name), false, name);
    }
  });

  it("restricts generic names to their menus", () => {
    assert.equal(s("/interface bridge", "name"), false);
    assert.equal(s("/snmp community", "name"), true);
    assert.equal(s("/ip ipsec profile", "key"), false);
    assert.equal(s(null, "name"), false);
    assert.equal(s("/interface", "pin"), false);
  });

  it("matches dotted names on their full name or last component", () => {
    assert.ok(s("/interface wifi", "security.passphrase"));
    assert.equal(s("/interface wifi", "security.authentication-types"), false);
    assert.equal(s("/interface wifi", "passphrase.mode"), false);
  });

  it("gives every entry a reason, and no duplicate entries", () => {
    const seen = new Set<string>();
    for (const p of SENSITIVE_PARAMS) {
      assert.ok(p.reason.length > 10, p.name);
      const k = `${p.name} ${p.menus?.join(",") ?? "*"}`;
      assert.ok(!seen.has(k), k);
      seen.add(k);
    }
  });
});
