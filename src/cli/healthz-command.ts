import http from "node:http";
import https from "node:https";
import { RosarchiveError } from "../common/index.js";
import type { Config } from "../config/index.js";
import { expectPositionals, parse, println, type Command } from "./command.js";
import { readConfigFile } from "./load.js";

const HEALTHZ_USAGE = `usage: rosarchive healthz -c FILE [--wait SECONDS]

Asks the service configured in FILE for GET /healthz on its listen address
(over https when tls is set; a wildcard listen address is asked on loopback).
Exit 0 when it answers {"status":"ok"}, 1 otherwise. --wait retries once a
second for up to SECONDS (the service unit's start check uses it).`;

/** Where this machine reaches the listener: a wildcard address is reached on loopback. */
export function healthzUrl(config: Config): string {
  const h = config.listen.host;
  const host = h === "0.0.0.0" ? "127.0.0.1" : h === "::" ? "[::1]" : h.includes(":") ? `[${h}]` : h;
  return `${config.tls ? "https" : "http"}://${host}:${config.listen.port}/healthz`;
}

function probe(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const get = url.startsWith("https:") ? https.get : http.get;
    // A liveness check of this machine's own listener: whether the certificate
    // names this address does not matter here (it was checked when it loaded).
    const req = get(url, { timeout: 5000, ...(url.startsWith("https:") && { rejectUnauthorized: false }) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        if (body.length < 1024) body += c;
      });
      res.on("end", () => {
        try {
          resolve(res.statusCode === 200 && (JSON.parse(body) as { status?: unknown }).status === "ok");
        } catch {
          resolve(false);
        }
      });
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

export const healthzCommand: Command = {
  name: "healthz",
  summary: "check that the configured service answers /healthz",
  usage: HEALTHZ_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" }, wait: { type: "string", default: "0" } }, HEALTHZ_USAGE);
    expectPositionals(positionals, [], HEALTHZ_USAGE);
    const wait = Number(values.wait);
    if (!Number.isInteger(wait) || wait < 0 || wait > 3600) throw new RosarchiveError("bad_parameter", `--wait: whole seconds from 0 to 3600\n\n${HEALTHZ_USAGE}`);
    const url = healthzUrl(readConfigFile(values.config));
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      if (await probe(url)) {
        println(io.stdout, `${url}: ok`);
        return 0;
      }
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    println(io.stderr, `${url}: no healthy answer${wait > 0 ? ` within ${wait} s` : ""}`);
    return 1;
  },
};
