import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { VOLATILE_COMMENTS } from "../../../src/routeros/index.js";
import { FIXTURES } from "../../helpers/tmp.js";

const isVolatile = (line: string) => VOLATILE_COMMENTS.some((v) => v.pattern.test(line));

describe("routeros: VOLATILE_COMMENTS (normalization step 4)", () => {
  it("covers every volatile comment docs/repository-format.md names, indented or not", () => {
    for (const line of [
      "# inactive time",
      "# ether1 not ready",
      "# lte1 not ready",
      "# received packet from 192.168.88.2 bad format",
      "# poe-out status: short_circuit",
      "# poe-out status: voltage_too_low",
      "# managed by CAPsMAN",
      "# Interface not active",
      "# ether5 not running",
      "# Firmware upgraded successfully, please reboot for changes to take effect!",
      "# changes to switch settings, please restart the device in order to apply the new setting",
      "    # inactive time",
      "# inactive time  ",
    ]) {
      assert.ok(isVolatile(line), line);
    }
  });

  it("drops the CAPsMAN state lines the v6.46.6-rb2011-capsman fixture shows", () => {
    const text = readFileSync(path.join(FIXTURES, "v6.46.6-rb2011-capsman.rsc"), "utf8");
    const lines = text.split(/\r?\n/);
    const body = lines.slice(lines.findIndex((l) => l.startsWith("/")));
    const found = body.filter(isVolatile);
    assert.deepEqual(found, ["# managed by CAPsMAN", "# channel: 2412/20-Ce/gn(13dBm), SSID: Office, local forwarding", "# "]);
  });

  it("drops the v7 wifi CAPsMAN state lines", () => {
    assert.ok(isVolatile("# managed by CAPsMAN 192.168.200.1, traffic processing on CAP"));
    assert.ok(isVolatile("# mode: AP, SSID: main, channel: 2437/n"));
    assert.ok(isVolatile("# mode: AP, SSID: Main5ax, channel: 5745/ax/Ceee"));
  });

  it("keeps config-derived warnings", () => {
    for (const line of ["# no interface", "# DHCP client can not run on slave or passthrough interface!", "# disabled"]) {
      assert.ok(!isVolatile(line), line);
    }
  });

  it("keeps every other comment of the real exports (they are stable per device)", () => {
    const kept = new Set<string>();
    for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith(".rsc"))) {
      for (const line of readFileSync(path.join(FIXTURES, f), "utf8").split(/\r?\n/)) {
        if (line.trimStart().startsWith("#") && !isVolatile(line)) kept.add(line.replace(/ = .*/, " = ..."));
      }
    }
    for (const line of [
      "# software id = ...",
      "# model = ...",
      "# serial number = ...",
      "# disabled",
      "# Cloud services not supported on x86",
      "# PPTP connections are considered unsafe, it is suggested to use a more modern VPN protocol instead",
    ]) {
      assert.ok(kept.has(line), line);
    }
  });

  it("never matches a command line", () => {
    assert.ok(!isVolatile('add comment="# inactive time" name=x'));
    assert.ok(!isVolatile("set [ find default-name=ether1 ] comment=\"not running\""));
  });

  it("gives every entry a reason and a stateless pattern", () => {
    for (const v of VOLATILE_COMMENTS) {
      assert.ok(v.reason.length > 10, String(v.pattern));
      assert.ok(!v.pattern.global && !v.pattern.sticky, String(v.pattern));
    }
  });
});
