import assert from "node:assert/strict";
import type { SensitiveParam } from "../../../src/common/index.js";
import { isSensitive } from "../../../src/seal/index.js";

const CATALOG: readonly SensitiveParam[] = [
  { name: "password", reason: "r" },
  { name: "name", menus: ["/snmp community"], reason: "r" },
  { name: "security.special", reason: "r" },
];

describe("seal: isSensitive", () => {
  it("matches whole names in any menu when the entry has no menus", () => {
    assert.ok(isSensitive("/ppp secret", "password", CATALOG));
    assert.ok(isSensitive(null, "password", CATALOG));
    assert.equal(isSensitive("/ip ssh", "always-allow-password-login", CATALOG), false);
    assert.equal(isSensitive("/ip ssh", "passwords", CATALOG), false);
  });

  it("restricts entries with menus to those exact menus", () => {
    assert.ok(isSensitive("/snmp community", "name", CATALOG));
    assert.equal(isSensitive("/snmp", "name", CATALOG), false);
    assert.equal(isSensitive(null, "name", CATALOG), false);
  });

  it("matches a dotted name on its full name or its last component", () => {
    assert.ok(isSensitive("/x", "wifi.password", CATALOG));
    assert.ok(isSensitive("/x", "security.special", CATALOG));
    assert.equal(isSensitive("/x", "special", CATALOG), false);
    assert.equal(isSensitive("/x", "password.length", CATALOG), false);
  });
});
