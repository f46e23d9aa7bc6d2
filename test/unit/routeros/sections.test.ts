import assert from "node:assert/strict";
import { sectionOf } from "../../../src/routeros/index.js";

describe("routeros: sectionOf", () => {
  it("returns the menu path of a menu line", () => {
    assert.equal(sectionOf("/ip firewall filter"), "/ip firewall filter");
    assert.equal(sectionOf("/interface wireless security-profiles"), "/interface wireless security-profiles");
    assert.equal(sectionOf("/ip firewall filter  "), "/ip firewall filter");
    assert.equal(sectionOf("/routing ospf-v3 instance"), "/routing ospf-v3 instance");
  });

  it("stops at a command on the same line", () => {
    assert.equal(sectionOf("/ip address add address=10.0.0.1/24 interface=ether1"), "/ip address");
    assert.equal(sectionOf("/system identity set name=R1"), "/system identity");
    assert.equal(sectionOf("/interface set [ find default-name=ether1 ] mtu=1500"), "/interface");
  });

  it("returns null for anything else", () => {
    assert.equal(sectionOf("add name=bridge1"), null);
    assert.equal(sectionOf("# model = RB941-2nD"), null);
    assert.equal(sectionOf("    /ip address"), null);
    assert.equal(sectionOf(""), null);
  });
});
