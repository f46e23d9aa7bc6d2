export { loadConfig, checkEnvironment, ConfigError, keyPath, type ConfigProblem } from "./load-config.js";
export { LiveConfig, type ConfigSource } from "./live-config.js";
export type * from "./types.js";
export { pathCollisions, type DevicePath, type PathCollision } from "./path-collisions.js";
export { resolveDevice, DEFAULT_SITE, type DeviceContext } from "./resolve-device.js";
export { addressMatcher, isLoopbackHost, parseCidr, plainAddress, type Cidr } from "./cidr.js";
export { CONFIG_KEY_DOCS, type KeyDoc } from "./key-docs.js";
export { configSchema } from "./schema.js";
