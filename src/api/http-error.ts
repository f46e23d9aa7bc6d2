import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import { asRosarchiveError, RosarchiveError, type ErrorCode } from "../common/index.js";
import type { Logger } from "../observe/index.js";

/** Every error answer is `{"error":{"code","message"}}`. */
export function sendError(res: Response, status: number, code: ErrorCode, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json({ error: { code, message } });
}

/** The one 404 every unknown resource, foreign tenant and unknown route gets: it says nothing more. */
export function sendNotFound(res: Response): void {
  sendError(res, 404, "not_found", "not found");
}

export const notFoundHandler: RequestHandler = (_req, res) => sendNotFound(res);

/** Errors raised by body-parser / express itself carry an HTTP status; map those to our codes. */
const HTTP_CODES: Record<number, ErrorCode> = {
  400: "bad_request",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof RosarchiveError) {
      if (err.status >= 500) log.warn({ event: "api.error", route: req.route?.path, code: err.code, msg: err.message });
      return sendError(res, err.status, err.code, err.message);
    }
    const status = typeof err?.status === "number" ? err.status : typeof err?.statusCode === "number" ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Bad input (malformed JSON, oversized body, undecodable URL): never a 500.
      const code = HTTP_CODES[status] ?? "bad_request";
      const message = status === 413 ? "request body too large" : status === 400 && err?.type === "entity.parse.failed" ? "body: not valid JSON" : `bad request (${String(err?.message ?? "").slice(0, 120)})`;
      return sendError(res, status, code, message);
    }
    const e = asRosarchiveError(err);
    log.error({ event: "api.error", route: req.route?.path, msg: e.message });
    sendError(res, 500, "error", "internal error");
  };
}
