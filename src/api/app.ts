import express, { type Request, type RequestHandler, type Response } from "express";
import { requireAccess } from "./access.js";
import { bodyDeadline } from "./body-deadline.js";
import { trustProxy } from "./trust-proxy.js";
import { errorHandler, notFoundHandler, sendError } from "./http-error.js";
import { gitHttp } from "./git-http.js";
import { openApiDocument } from "./openapi.js";
import { RateLimiter } from "./rate-limit.js";
import { getAudit } from "./routes/audit.js";
import { postBackup, postBackupAll } from "./routes/backup.js";
import { postHostKeyAccept, postUnblock } from "./routes/device-blocks.js";
import { getConfigFile } from "./routes/config-file.js";
import { listCollectors } from "./routes/collectors.js";
import { getDevice, listDevices } from "./routes/devices.js";
import { getDiff } from "./routes/diff.js";
import { getInventory, postInventoryConfirm } from "./routes/inventory.js";
import { streamEvents } from "./routes/events.js";
import { GitProcessSlots } from "./git-slots.js";
import { EventStreams } from "./event-streams.js";
import { getDeviceHistory, getTenantHistory } from "./routes/history.js";
import type { ApiDeps } from "./types.js";
import { serveUi } from "../web/serve-ui.js";
import { getCompare } from "./routes/compare.js";
import { getPolicy, postPolicyRun } from "./routes/policy.js";
import { getSearch } from "./routes/search.js";
import { SearchSlots } from "../search/index.js";

const T = "/api/v1/tenants/:tenant";
const D = `${T}/devices/:device`;

/**
 * The HTTP API and Git smart HTTP. `/metrics` belongs to the caller (serve,
 * with metrics-route.ts). Every request reads `deps.config()` afresh, so a
 * SIGHUP reload changes tokens, devices and limits without rebuilding the app.
 */
export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  // X-Forwarded-For is believed only from the configured reverse proxies (none by default).
  app.set("trust proxy", trustProxy(deps.config));
  const now = deps.now ?? Date.now;
  const limiter = new RateLimiter(now);
  const streams = deps.streams ?? new EventStreams();
  const searches = new SearchSlots();
  const handle = (fn: (deps: ApiDeps, req: Request, res: Response) => Promise<void>): RequestHandler => (req, res) => fn(deps, req, res);

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const route = req.route?.path ? String(req.route.path) : req.originalUrl.startsWith("/git/") ? "/git" : "unmatched";
      deps.metrics?.httpRequest?.(route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });

  app.use(bodyDeadline(() => deps.config().limits.bodyTimeoutMs));

  // Git first: its request body is the pack protocol, never parsed, never compressed.
  app.use("/git", gitHttp(deps, deps.gitSlots ?? new GitProcessSlots()));

  app.use("/api", bodyWithLimit(deps));

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/api/v1/openapi.json", (_req, res) => {
    res.json(openApiDocument());
  });
  app.get(`${T}/devices`, handle(listDevices));
  app.get(D, handle(getDevice));
  app.get(`${D}/history`, handle(getDeviceHistory));
  app.get(`${T}/history`, handle(getTenantHistory));
  app.get(`${D}/config`, handle(getConfigFile));
  app.get(`${D}/diff`, handle(getDiff));
  app.post(`${D}/backup`, handle((d, req, res) => postBackup(d, limiter, req, res)));
  app.post(`${T}/backup`, handle((d, req, res) => postBackupAll(d, limiter, req, res)));
  app.post(`${D}/host-key/accept`, handle(postHostKeyAccept));
  app.post(`${D}/unblock`, handle(postUnblock));
  app.get(`${T}/audit`, handle(getAudit));
  app.get(`${T}/inventory`, handle(getInventory));
  app.post(`${T}/inventory/:source/confirm`, handle(postInventoryConfirm));
  app.get(`${T}/collectors`, handle(listCollectors));
  app.get(`${T}/search`, handle((d, req, res) => getSearch(d, searches, req, res)));
  app.get(`${T}/compare`, handle(getCompare));
  app.get(`${T}/policy`, handle(getPolicy));
  app.post(`${T}/policy/run`, handle(postPolicyRun));

  // ---- SSE: GET /api/v1/tenants/{t}/events -------------------------------
  // Authenticated here (viewer, tenant isolation as every route); the stream
  // is `deps.sse` when supplied, else the bus stream of routes/events.ts.
  // Neither (an app without a bus): 501.
  app.get(
    `${T}/events`,
    handle(async (d, req, res) => {
      const access = await requireAccess(d, req, res, req.params.tenant, "viewer");
      if (d.sse) return d.sse(req, res, access);
      if (!d.bus) return sendError(res, 501, "not_implemented", "events are not available in this build");
      const limits = d.config().limits;
      streamEvents(d.bus, req, res, access, { heartbeatMs: d.sseHeartbeatMs, streams, perToken: limits.eventStreamsPerToken, bufferBytes: limits.eventStreamBufferBytes, log: d.log });
    }),
  );
  // -------------------------------------------------------------------------

  app.use(serveUi()); // the web UI: GET / and /ui/<file> only
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}

/**
 * Reads (and discards: no route takes a body) any request body up to
 * `limits.maxRequestBodyBytes` of the live config; beyond it 413. body-parser
 * drains the rest before answering so the client sees the 413, not a reset.
 */
function bodyWithLimit(deps: ApiDeps): RequestHandler {
  let parser: RequestHandler | null = null;
  let parserLimit = -1;
  return (req, res, next) => {
    const limit = deps.config().limits.maxRequestBodyBytes;
    if (!parser || parserLimit !== limit) {
      parser = express.raw({ type: () => true, limit });
      parserLimit = limit;
    }
    parser(req, res, next);
  };
}
