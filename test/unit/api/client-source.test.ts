import assert from "node:assert/strict";
import { isLoopback, sourceOf } from "../../../src/api/client-source.js";
import { metricsAllowed } from "../../../src/api/metrics-route.js";
import type { Config } from "../../../src/config/index.js";

describe("api: client sources", () => {
  it("counts IPv4 by address (also IPv4-mapped) and IPv6 by /64", () => {
    assert.equal(sourceOf("203.0.113.9"), "203.0.113.9");
    assert.equal(sourceOf("::ffff:203.0.113.9"), "203.0.113.9");
    assert.equal(sourceOf("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert.equal(sourceOf("2001:db8:1:2:bbbb:cccc:dddd:eeee"), "2001:db8:1:2::/64", "one /64, one source");
    assert.equal(sourceOf("2001:db8::1"), "2001:db8:0:0::/64");
    assert.notEqual(sourceOf("2001:db8:1:3::1"), sourceOf("2001:db8:1:2::1"));
    assert.equal(sourceOf(undefined), "unknown");
  });

  it("knows loopback", () => {
    for (const a of ["127.0.0.1", "127.3.4.5", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) assert.equal(isLoopback(a), true, a);
    for (const a of ["10.0.0.1", "::ffff:10.0.0.1", "2001:db8::1", "::", "128.0.0.1", undefined]) assert.equal(isLoopback(a), false, String(a));
  });

  it("/metrics: without a metrics token only loopback clients not behind a proxy; with one, the token from anywhere", () => {
    const open = { metricsTokenSha256: null } as unknown as Config;
    const none = () => undefined;
    assert.equal(metricsAllowed(open, "127.0.0.1", none), "ok");
    assert.equal(metricsAllowed(open, "::1", none), "ok");
    assert.equal(metricsAllowed(open, "203.0.113.9", none), "loopback");
    assert.equal(metricsAllowed(open, "::ffff:192.0.2.1", none), "loopback");
    assert.equal(metricsAllowed(open, "127.0.0.1", (n) => (n === "x-forwarded-for" ? "203.0.113.9" : undefined)), "loopback");
    // sha256("secret")
    const locked = { metricsTokenSha256: "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b" } as unknown as Config;
    assert.equal(metricsAllowed(locked, "203.0.113.9", (n) => (n === "authorization" ? "Bearer secret" : undefined)), "ok");
    assert.equal(metricsAllowed(locked, "127.0.0.1", none), "token", "a token, once set, is needed from loopback too");
    assert.equal(metricsAllowed(locked, "127.0.0.1", (n) => (n === "authorization" ? "Bearer wrong" : undefined)), "token");
  });
});
