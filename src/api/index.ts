export { createApp } from "./app.js";
export { openApiDocument, documentedRoutes, type RouteRole } from "./openapi.js";
export { API_SCHEMAS, EVENT_SCHEMAS, jsonSchemaOf } from "./schemas.js";
export { authenticate, presentedToken, roleAtLeast, type AuthOutcome } from "./auth.js";
export { parseCgiHead, GIT_ENDPOINTS } from "./git-http.js";
export type { ApiDeps, Access, DeviceActions, SseHandler } from "./types.js";
export { apiDeps } from "./deps.js";
