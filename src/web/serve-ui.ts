import { createHash } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Request, type Response, type Router } from "express";

/**
 * The web UI's files, hand-written, served as they are (no build step).
 * Only these names are served; anything else under /ui/ falls through to
 * the API's JSON 404.
 */
const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  ...Object.fromEntries(
    ["app", "state", "live", "actions", "sign-in", "fleet-view", "device-view", "sources-view", "collectors-panel", "api", "session", "dom", "format", "diff-view", "diff-head", "compare-panel", "line-view", "device-layout", "device-history", "device-diff", "device-facts", "blocked-card", "timeline-entry", "fleet-search", "fleet-layout", "fleet-filters", "fleet-rows", "policy-cell"].map((m) => [`${m}.js`, { file: `${m}.js`, type: "text/javascript; charset=utf-8" }]),
  ),
  "style.css": { file: "style.css", type: "text/css; charset=utf-8" },
  "favicon.svg": { file: "favicon.svg", type: "image/svg+xml; charset=utf-8" },
};
const INDEX = { file: "index.html", type: "text/html; charset=utf-8" };

/**
 * Everything the page loads comes from this origin: no inline script or
 * style, no framing, no plugins. `connect-src 'self'` covers the API calls
 * and the event stream; downloads are blob: URLs navigated to by a link,
 * which CSP does not govern.
 */
export const UI_CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

/**
 * tsc copies no .html/.js/.css into dist/, so the compiled file
 * (dist/src/web/serve-ui.js) reads them from the source tree
 * (../../../src/web/static); run from source it is ./static.
 */
export function uiStaticDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, "static"), path.resolve(here, "../../../src/web/static")];
  return candidates.find((dir) => existsSync(path.join(dir, "index.html"))) ?? candidates[candidates.length - 1]!;
}

/**
 * GET/HEAD `/` (the page) and `/ui/<file>` (its modules, style sheet and
 * icon). Mounted before the API's 404 handler; it answers nothing else, so
 * /api, /git, /healthz and /metrics are never shadowed.
 */
export function serveUi(dir: string = uiStaticDir()): Router {
  const router = express.Router({ caseSensitive: true, strict: true });
  const send = async (req: Request, res: Response, entry: { file: string; type: string }) => {
    let body: Buffer;
    try {
      body = await fs.readFile(path.join(dir, entry.file));
    } catch {
      res.status(500).json({ error: { code: "error", message: `web UI file ${entry.file} is missing from ${dir}` } });
      return;
    }
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    res.set({
      "Content-Type": entry.type,
      "Cache-Control": "no-cache",
      "Content-Security-Policy": UI_CSP,
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "no-referrer",
      ETag: etag,
    });
    if (req.get("if-none-match") === etag) {
      res.status(304).end();
      return;
    }
    res.set("Content-Length", String(body.length));
    res.status(200).end(req.method === "HEAD" ? undefined : body);
  };
  router.get("/", (req, res) => send(req, res, INDEX));
  router.get("/ui/:file", (req, res, next) => {
    const entry = Object.hasOwn(FILES, req.params.file!) ? FILES[req.params.file!] : undefined;
    if (!entry) return next();
    return send(req, res, entry);
  });
  return router;
}
