import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import type { Config } from "../config/index.js";
import { isLoopback } from "./client-source.js";
import { sendError } from "./http-error.js";

/** Headers a reverse proxy adds: a request carrying one came from elsewhere, whatever its socket says. */
const FORWARDED = ["forwarded", "x-forwarded-for", "x-real-ip"];

/**
 * Who may read `/metrics`, whose labels name tenants. With
 * `metrics_token_sha256` set: whoever presents that token, from anywhere.
 * Without it: only clients on loopback that did not come through a proxy on
 * the same host (no Forwarded / X-Forwarded-For / X-Real-IP header); anyone
 * else gets 403 saying to set the token.
 */
export function metricsAllowed(config: Config, peer: string | undefined, header: (name: string) => string | undefined): "ok" | "token" | "loopback" {
  const want = config.metricsTokenSha256;
  if (want) {
    const got = /^Bearer +(\S+)\s*$/i.exec(header("authorization") ?? "")?.[1] ?? "";
    const h = createHash("sha256").update(got).digest();
    return timingSafeEqual(h, Buffer.from(want, "hex")) ? "ok" : "token";
  }
  return isLoopback(peer) && FORWARDED.every((n) => header(n) === undefined) ? "ok" : "loopback";
}

/** `GET /metrics`: `render` builds the Prometheus text once access is granted. */
export function metricsRoute(config: () => Config, render: () => Promise<{ contentType: string; body: string }>): RequestHandler {
  return async (req, res, next) => {
    try {
      const verdict = metricsAllowed(config(), req.socket.remoteAddress, (n) => req.get(n));
      if (verdict === "token") {
        res.set("WWW-Authenticate", 'Bearer realm="rosarchive metrics"');
        return sendError(res, 401, "unauthorized", "metrics need the metrics token (Authorization: Bearer <token>)");
      }
      if (verdict === "loopback") {
        return sendError(res, 403, "forbidden", "without metrics_token_sha256, /metrics answers only loopback clients not behind a proxy; set metrics_token_sha256 to scrape from elsewhere");
      }
      const { contentType, body } = await render();
      res.type(contentType).send(body);
    } catch (err) {
      next(err);
    }
  };
}
