import path from "node:path";
import type { Request, RequestHandler, Response } from "express";
import { spawnHttpBackend } from "../archive/index.js";
import { RosarchiveError } from "../common/index.js";
import { requireAccess } from "./access.js";
import { isGitClient, sendGitRefusal } from "./git-refusal.js";
import type { GitProcessSlots } from "./git-slots.js";
import { recordAudit } from "./record-audit.js";
import type { ApiDeps } from "./types.js";

/** The only smart-HTTP endpoints served; everything else (dumb HTTP, objects/, HEAD) is 404. */
const GIT_PATH = /^\/git\/([^/]+)\.git(\/info\/refs|\/git-upload-pack|\/git-receive-pack)$/;
/** What the `/git` mount serves (push is matched only to refuse it): the route table's git rows, for tests and docs. */
export const GIT_ENDPOINTS = [
  { method: "GET", path: "/git/{tenant}.git/info/refs" },
  { method: "POST", path: "/git/{tenant}.git/git-upload-pack" },
] as const;
const PROTOCOL_HEADER = /^[A-Za-z0-9=:._-]{1,200}$/;

/**
 * Read-only Git smart HTTP: stock `git http-backend` as a CGI child with the
 * fixed git environment. The path is decoded and matched against a short
 * allowlist before anything is spawned, and PATH_INFO is rebuilt from the
 * validated tenant id, so no traversal (`..`, `%2e%2e`) reaches git. Pushes
 * are refused here (403) and by `http.receivepack=false` in the repo.
 * Processes are bounded (git-slots.ts); refusals reach git users as text
 * (git-refusal.ts).
 */
export function gitHttp(deps: ApiDeps, slots: GitProcessSlots): RequestHandler {
  return async (req, res, next) => {
    try {
      await serveGit(deps, slots, req, res);
    } catch (err) {
      if (isGitClient(req)) sendGitRefusal(res, err, deps.log);
      else next(err);
    }
  };
}

async function serveGit(deps: ApiDeps, slots: GitProcessSlots, req: Request, res: Response): Promise<void> {
  const url = req.originalUrl;
  const q = url.indexOf("?");
  let decoded: string;
  try {
    decoded = decodeURIComponent(q < 0 ? url : url.slice(0, q));
  } catch {
    throw new RosarchiveError("not_found", "not found");
  }
  const m = GIT_PATH.exec(decoded);
  if (!m) throw new RosarchiveError("not_found", "not found");
  const [, tenantId, endpoint] = m as unknown as [string, string, string];
  const service = typeof req.query.service === "string" ? req.query.service : null;
  const access = await requireAccess(deps, req, res, tenantId, "viewer", { basic: true });
  const receive = endpoint === "/git-receive-pack" || (endpoint === "/info/refs" && service === "git-receive-pack");
  if (receive) throw new RosarchiveError("forbidden", "this archive is read-only over HTTP: push is refused (only the rosarchive service writes it)");
  const infoRefs = endpoint === "/info/refs";
  if (infoRefs ? req.method !== "GET" || service !== "git-upload-pack" : req.method !== "POST") {
    throw new RosarchiveError("not_found", "not found");
  }
  const limits = deps.config().limits;
  const release = slots.take(`${access.tenant.id}\0${access.tokenSha256}`, { total: limits.gitProcesses, perToken: limits.gitProcessesPerToken });
  if (!release) {
    res.set("Retry-After", String(RETRY_AFTER_S));
    throw new RosarchiveError("unavailable", `too many git requests at once (at most ${limits.gitProcessesPerToken} per token, ${limits.gitProcesses} in all); try again in ${RETRY_AFTER_S} s`);
  }
  try {
    // Creates the repository when a tenant has never been backed up, so clone answers an empty repo.
    await deps.repos.get(access.tenant.id);
  } catch (err) {
    release();
    throw err;
  }
  const gitProtocol = req.get("git-protocol");
  if (infoRefs) await recordAudit(deps, access, "repo.clone", null, { protocol: gitProtocol && /version=2/.test(gitProtocol) ? 2 : 0 });

  const env: Record<string, string> = {
    GIT_PROJECT_ROOT: path.resolve(deps.config().dataDir),
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: `/${access.tenant.id}.git${endpoint}`,
    QUERY_STRING: infoRefs ? "service=git-upload-pack" : "",
    REQUEST_METHOD: req.method,
    REMOTE_USER: access.actor,
    REMOTE_ADDR: access.ip,
  };
  const contentType = req.get("content-type");
  if (contentType) env.CONTENT_TYPE = contentType;
  const contentLength = req.get("content-length");
  if (contentLength && /^\d+$/.test(contentLength)) env.CONTENT_LENGTH = contentLength;
  const encoding = req.get("content-encoding");
  if (encoding) env.HTTP_CONTENT_ENCODING = encoding;
  if (gitProtocol && PROTOCOL_HEADER.test(gitProtocol)) env.GIT_PROTOCOL = gitProtocol;

  await runCgi(deps, req, res, env, release);
}

/** Seconds a client is told to wait when every git slot is taken. */
const RETRY_AFTER_S = 5;

function runCgi(deps: ApiDeps, req: Request, res: Response, extra: Record<string, string>, release: () => void): Promise<void> {
  return new Promise((resolve) => {
    // The client may have gone while the repository was opened: spawn nothing for it.
    if (req.socket.destroyed) {
      release();
      resolve();
      return;
    }
    const child = spawnHttpBackend(extra);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    // A client that goes away (or is cut by the body timeout) must not leave a pack-objects running.
    res.on("close", () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      finish();
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      if (stderr.length < 4096) stderr += c.toString("utf8");
    });
    child.on("error", (err) => {
      release();
      deps.log.error({ event: "git_http.spawn_failed", msg: err.message });
      if (!res.headersSent) res.status(500).json({ error: { code: "error", message: "cannot run git http-backend" } });
      else res.destroy();
      finish();
    });
    // The slot is free only once the process is gone.
    child.on("close", (code) => {
      release();
      if (code !== 0 && code !== null) deps.log.warn({ event: "git_http.failed", tenant: extra.PATH_INFO, code, msg: stderr.trim().slice(0, 500) });
    });
    child.stdin.on("error", () => {});
    if (req.method === "POST") req.pipe(child.stdin);
    else child.stdin.end();

    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const parsed = parseCgiHead(head);
      if (!parsed) {
        if (head.length > 64 * 1024) child.kill("SIGKILL");
        return;
      }
      child.stdout.off("data", onData);
      res.status(parsed.status);
      for (const [k, v] of parsed.headers) res.append(k, v);
      if (parsed.rest.length) res.write(parsed.rest);
      child.stdout.pipe(res);
    };
    child.stdout.on("data", onData);
    child.stdout.on("end", () => {
      if (!res.headersSent) {
        res.status(502).json({ error: { code: "error", message: "git http-backend answered nothing" } });
      }
    });
  });
}

/** CGI response head: header lines up to a blank line; `Status: 404 Not Found` sets the status. */
export function parseCgiHead(buf: Buffer): { status: number; headers: Array<[string, string]>; rest: Buffer } | null {
  let end = buf.indexOf("\r\n\r\n");
  let sep = 4;
  const lf = buf.indexOf("\n\n");
  if (lf >= 0 && (end < 0 || lf < end)) {
    end = lf;
    sep = 2;
  }
  if (end < 0) return null;
  let status = 200;
  const headers: Array<[string, string]> = [];
  for (const line of buf.toString("latin1", 0, end).split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else headers.push([name, value]);
  }
  return { status, headers, rest: buf.subarray(end + sep) };
}
