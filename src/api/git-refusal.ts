import type { Request, Response } from "express";
import { asRosarchiveError } from "../common/index.js";
import type { Logger } from "../observe/index.js";

/** Stock git (and libgit2-based clients) announce themselves as `git/<version>`. */
export function isGitClient(req: Request): boolean {
  return /^git\//i.test(req.get("user-agent") ?? "");
}

/**
 * A refused git request, answered so the user sees why. git 2.39 prints the
 * body of a failed ref discovery (`info/refs`, the first request of every
 * clone, fetch and push) when it is `text/plain`, each line prefixed with
 * `remote: `, before its own "Authentication failed" / "returned error: 403"
 * line; a JSON body is not shown at all. Other clients keep the JSON errors
 * of the rest of the API.
 */
export function sendGitRefusal(res: Response, raw: unknown, log: Logger): void {
  const err = asRosarchiveError(raw);
  if (err.status >= 500 && err.code !== "unavailable") log.error({ event: "git_http.error", code: err.code, msg: err.message });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = err.status >= 500 && err.code !== "unavailable" ? "internal error; the service log has the details" : GIT_WORDING[err.code] ?? err.message;
  res.status(err.status).type("text/plain; charset=utf-8").send(`rosarchive: ${message}\n`);
}

/** What a git user needs to read for the usual refusals (the JSON API keeps its shorter messages). */
const GIT_WORDING: Partial<Record<string, string>> = {
  unauthorized: "a valid token is required: use the tenant's API token as the password (https://x:TOKEN@host/git/TENANT.git, or a credential helper)",
  not_found: "repository not found, or this token cannot read it",
};
