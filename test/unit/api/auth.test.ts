import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { authenticate, parseCgiHead, roleAtLeast } from "../../../src/api/index.js";
import type { Config, TenantConfig } from "../../../src/config/index.js";

const sha = (t: string) => createHash("sha256").update(t).digest("hex");

function configWith(tenants: Record<string, Array<[string, "viewer" | "operator" | "admin", string]>>): Config {
  const map = new Map<string, TenantConfig>();
  for (const [id, toks] of Object.entries(tenants)) {
    const encryption = { recipients: [], identityFile: null };
    map.set(id, { id, encryption, ownEncryption: false, defaults: {}, inventory: [], tokens: toks.map(([name, role, t]) => ({ name, role, sha256: sha(t) })), webhooks: [], devices: [], deviceById: new Map(), policy: [], compareIgnore: [] });
  }
  return { tenants: map } as unknown as Config;
}

describe("api auth: tokens by sha256, tenant isolation", () => {
  const config = configWith({ acme: [["noc", "viewer", "tok-a"], ["ops", "admin", "tok-b"]], other: [["x", "viewer", "tok-o"]] });

  it("matches the tenant's own token and names it", () => {
    const r = authenticate(config, "acme", "tok-b");
    assert.equal(r.kind, "ok");
    assert.equal(r.kind === "ok" && r.token.name, "ops");
  });

  it("a token of another tenant is 'foreign' (404), whether the URL's tenant exists or not", () => {
    assert.equal(authenticate(config, "acme", "tok-o").kind, "foreign");
    assert.equal(authenticate(config, "nope", "tok-a").kind, "foreign");
  });

  it("no token or an unknown token is unauthenticated (401)", () => {
    assert.equal(authenticate(config, "acme", null).kind, "unauthenticated");
    assert.equal(authenticate(config, "acme", "tok-z").kind, "unauthenticated");
    assert.equal(authenticate(config, "acme", "").kind, "unauthenticated");
  });

  it("orders roles viewer < operator < admin", () => {
    assert.ok(roleAtLeast("admin", "operator"));
    assert.ok(roleAtLeast("operator", "operator"));
    assert.ok(!roleAtLeast("viewer", "operator"));
    assert.ok(!roleAtLeast("operator", "admin"));
  });
});

describe("api git-http: CGI response head", () => {
  it("reads Status and headers, keeps the body bytes", () => {
    const r = parseCgiHead(Buffer.from("Status: 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nbody\n"));
    assert.ok(r);
    assert.equal(r.status, 403);
    assert.deepEqual(r.headers, [["Content-Type", "text/plain"]]);
    assert.equal(r.rest.toString(), "body\n");
  });

  it("defaults to 200, accepts bare LF, waits for the blank line", () => {
    assert.equal(parseCgiHead(Buffer.from("Content-Type: x\n\n0000"))!.status, 200);
    assert.equal(parseCgiHead(Buffer.from("Content-Type: x\r\n")), null);
  });
});
