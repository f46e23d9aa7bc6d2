import type { RequestHandler } from "express";
import { sendError } from "./http-error.js";

/**
 * A request that announces a body must deliver it within `timeoutMs()` of
 * its headers, or it is answered 408 and its connection closed (which also
 * ends whatever it was feeding, such as a git process). Without this, a
 * client could announce a large body, send nothing, and keep the request and
 * everything it holds open.
 */
export function bodyDeadline(timeoutMs: () => number): RequestHandler {
  return (req, res, next) => {
    const length = req.headers["content-length"];
    const announced = (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined;
    if (announced && !req.complete) {
      const timer = setTimeout(() => {
        if (req.complete) return;
        if (!res.headersSent) {
          res.set("Connection", "close");
          sendError(res, 408, "timeout", "the request body did not arrive in time");
        }
        // Whatever was written, the connection goes: the rest of the body will never be read.
        res.once("finish", () => req.socket.destroy());
        if (res.headersSent && !res.writableEnded) req.socket.destroy();
      }, timeoutMs());
      timer.unref();
      const clear = () => clearTimeout(timer);
      req.once("end", clear);
      req.once("close", clear);
      res.once("close", clear);
    }
    next();
  };
}
