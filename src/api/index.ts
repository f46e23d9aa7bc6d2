export { createApp } from "./app.js";
export { openApiDocument } from "./openapi.js";
export { authenticate, presentedToken, roleAtLeast, type AuthOutcome } from "./auth.js";
export { parseCgiHead } from "./git-http.js";
export type { ApiDeps, Access, DeviceActions, SseHandler } from "./types.js";
export { apiDeps } from "./deps.js";
