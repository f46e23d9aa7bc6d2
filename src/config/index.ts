export { loadConfig, checkEnvironment, ConfigError, keyPath, type ConfigProblem } from "./load-config.js";
export { EVENT_NAMES } from "./schema.js";
export type * from "./types.js";
