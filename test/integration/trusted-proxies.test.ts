import assert from "node:assert/strict";
import net from "node:net";
import { createHttpServer } from "../../src/api/http-server.js";
import { loadConfig } from "../../src/config/index.js";
import { bearer, startApi, type ApiServer } from "../helpers/api.js";
import { until } from "../helpers/wait.js";

/**
 * X-Forwarded-For names the client only when the request comes from one of
 * `trusted_proxies`; by default it is ignored, so a client cannot choose the
 * address the audit log records.
 */
describe("trusted_proxies: X-Forwarded-For is believed only from a configured proxy", function () {
  this.timeout(60_000);
  let api: ApiServer;
  before(async () => {
    api = await startApi({ limits: "  manual_backups_per_minute: 100" });
  });
  after(() => api.close());

  /** The audit ip of a manual backup (audited before it answers) requested with these headers. */
  async function auditedIp(headers: Record<string, string>): Promise<string | null> {
    const before = (await api.audit.list("acme", 1000)).length;
    const res = await fetch(`${api.url}/api/v1/tenants/acme/devices/edge-2/backup`, { method: "POST", headers: { ...headers, ...bearer(api.tokens.operator) } });
    assert.equal(res.status, 502, "nothing listens on the device's port: a failed backup, audited all the same");
    await res.arrayBuffer();
    const entries = await api.audit.list("acme", 1000);
    assert.equal(entries.length, before + 1, "one entry");
    assert.equal(entries[0]!.action, "backup.manual");
    return entries[0]!.ip;
  }

  it("ignores the header by default: the peer address is recorded", async () => {
    api.reload();
    assert.equal(await auditedIp({ "x-forwarded-for": "198.51.100.7" }), "127.0.0.1");
  });

  it("uses the header when the peer is a trusted proxy, walking from the right while hops are trusted", async () => {
    api.reload("trusted_proxies: [127.0.0.1/32]\n");
    assert.equal(await auditedIp({ "x-forwarded-for": "198.51.100.7" }), "198.51.100.7");
    // A client's own header before the proxy's entry: only the address the proxy added counts.
    assert.equal(await auditedIp({ "x-forwarded-for": "192.0.2.66, 203.0.113.5" }), "203.0.113.5");
    assert.equal(await auditedIp({}), "127.0.0.1", "no header: the peer");
  });

  it("ignores the header when the peer is outside the configured blocks", async () => {
    api.reload("trusted_proxies: [10.0.0.0/8, '::1']\n");
    assert.equal(await auditedIp({ "x-forwarded-for": "198.51.100.7" }), "127.0.0.1");
  });

  it("refuses a malformed block in the config, naming it", () => {
    assert.throws(() => api.reload("trusted_proxies: [127.0.0.1/33]\n"), /trusted_proxies\[0\]: must be an IP address or CIDR block/);
    assert.throws(() => api.reload("trusted_proxies: [proxy.example]\n"), /trusted_proxies\[0\]/);
  });
});

describe("trusted_proxies: a proxy carries many clients, so it is held to max_connections only", function () {
  this.timeout(60_000);

  /** Opens `n` sockets to the server and counts how many are still open after the server had its say. */
  async function openConnections(port: number, n: number): Promise<number> {
    const sockets = await Promise.all(
      Array.from({ length: n }, () => new Promise<net.Socket>((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => resolve(s));
        s.on("error", () => undefined);
      })),
    );
    let open = n;
    for (const s of sockets) s.once("close", () => open--);
    // The server destroys a refused socket at once; give it a moment, then write to every socket so a closed one shows.
    for (const s of sockets) s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    await new Promise((r) => setTimeout(r, 300));
    const left = open;
    for (const s of sockets) s.destroy();
    return left;
  }

  it("refuses the third connection from one address, unless that address is a trusted proxy", async () => {
    const config = (extra: string) => loadConfig(`encryption: { recipients: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p] }\nlimits: { max_connections_per_source: 2 }\n${extra}tenants: { acme: {} }\n`, { baseDir: "/" });
    for (const [extra, want] of [["", 2], ["trusted_proxies: [127.0.0.1/32]\n", 3]] as const) {
      const c = config(extra);
      const http = createHttpServer((_req, res) => res.end("ok"), c.limits, { trustedProxies: () => c.trustedProxies });
      await new Promise<void>((r) => http.server.listen(0, "127.0.0.1", r));
      try {
        const port = (http.server.address() as net.AddressInfo).port;
        assert.equal(await until(`${want} connections to stay open`, 10_000, async () => {
          const n = await openConnections(port, 3);
          return n === want ? n : undefined;
        }), want, extra || "no trusted proxies");
      } finally {
        http.server.closeAllConnections();
        await new Promise((r) => http.server.close(r));
      }
    }
  });
});
