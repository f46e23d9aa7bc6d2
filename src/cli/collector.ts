import { createServer, type Server } from "node:http";
import os from "node:os";
import type { AddressInfo } from "node:net";
import { RosarchiveError } from "../common/index.js";
import { SITE_PATTERN } from "../config/schema.js";
import { createLogger } from "../observe/index.js";
import { startCollector, type RunningCollector } from "../remote/index.js";
import { ROUTEROS } from "../routeros/index.js";
import { parse, type Command } from "./command.js";
import { readConfigFile } from "./load.js";
import { packageVersion } from "./version.js";

const COLLECTOR_USAGE = `usage: rosarchive collector -c FILE [--site NAME]... [--id NAME] [--listen HOST:PORT] [--concurrency N]

Runs a remote collector: connects out to the NATS server of the config's
nats: block, takes backup jobs for its sites (--site, repeatable; else
collector.sites of FILE; else "default"), collects over SSH with the device
credentials FILE holds, normalizes and seals with the tenant's recipients and
the secret index key (encryption.index_key_file), and publishes each snapshot.
No plaintext secret leaves this process. FILE may be the core's own config
(same machine) or a smaller collector file (role: collector).

  --id NAME          this collector's name (collector.id; default: host name and pid)
  --listen HOST:PORT serve /metrics and /healthz (collector.listen)
  --concurrency N    SSH sessions at once (collector.concurrency; default schedule.concurrency)

SIGTERM or Ctrl-C: takes no new job, finishes and publishes the jobs it holds, then exits.`;

export const collectorCommand: Command = {
  name: "collector",
  summary: "a remote collector: takes jobs from NATS, collects and seals near the routers",
  usage: COLLECTOR_USAGE,
  async run(io) {
    const { values } = parse(
      io.argv,
      {
        config: { type: "string", short: "c" },
        site: { type: "string", multiple: true },
        id: { type: "string" },
        listen: { type: "string" },
        concurrency: { type: "string" },
      },
      COLLECTOR_USAGE,
    );
    if (!values.config) throw new RosarchiveError("bad_parameter", `missing -c FILE\n\n${COLLECTOR_USAGE}`);
    const config = readConfigFile(values.config);
    if (!config.nats) throw new RosarchiveError("bad_parameter", `${values.config} has no nats: block; a collector needs nats.url`);
    const sites = values.site && values.site.length > 0 ? values.site : (config.collector.sites ?? ["default"]);
    for (const s of sites) if (!SITE_PATTERN.test(s)) throw new RosarchiveError("bad_parameter", `--site: ${JSON.stringify(s.slice(0, 80))} is not a site name (^[a-z0-9][a-z0-9_-]{0,62}$)`);
    const id = values.id ?? config.collector.id ?? defaultId();
    if (!SITE_PATTERN.test(id)) throw new RosarchiveError("bad_parameter", `--id: ${JSON.stringify(id.slice(0, 80))} is not a valid name (^[a-z0-9][a-z0-9_-]{0,62}$)`);
    const concurrency = values.concurrency !== undefined ? Number(values.concurrency) : config.collector.concurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) throw new RosarchiveError("bad_parameter", "--concurrency: a whole number from 1 to 1000");
    const listen = values.listen ? splitListen(values.listen) : config.collector.listen;
    const log = createLogger({ level: config.logLevel });
    const collector = await startCollector({ config, sites: [...new Set(sites)], id, concurrency, env: io.env, log, version: packageVersion(), platform: ROUTEROS });
    const server = listen ? await serveHealth(collector, listen) : null;
    if (server) {
      const a = server.address() as AddressInfo;
      log.info({ event: "collector.listening", url: `http://${a.address}:${a.port}` });
    }
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ event: "collector.stopping", signal });
        void collector.drain().then(
          () => {
            server?.close();
            server?.closeAllConnections?.();
            resolve(0);
          },
          () => resolve(1),
        );
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
  },
};

function defaultId(): string {
  const host = os.hostname().toLowerCase().replace(/[^a-z0-9_-]/g, "-").replace(/^[^a-z0-9]+/, "").slice(0, 40) || "collector";
  return `${host}-${process.pid}`;
}

function splitListen(text: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  if (!m || Number(m[2]) > 65535) throw new RosarchiveError("bad_parameter", "--listen: host:port, e.g. 127.0.0.1:9464");
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port: Number(m[2]) };
}

/** `/metrics` (Prometheus text) and `/healthz` (200 while connected to NATS, else 503). */
function serveHealth(c: RunningCollector, listen: { host: string; port: number }): Promise<Server> {
  const server = createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "bad_request", message: "GET only" } }));
    } else if (url === "/healthz") {
      const h = c.health();
      res.writeHead(h.status === "ok" ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(h));
    } else if (url === "/metrics") {
      void c.registry.metrics().then((text) => res.writeHead(200, { "content-type": c.registry.contentType }).end(text));
    } else {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "only /metrics and /healthz here" } }));
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => resolve(server));
  });
}
