export * from "./errors.js";
export * from "./ids.js";
export * from "./duration.js";
export * from "./platform.js";
export * from "./printable.js";
export * from "./event-names.js";
export * from "./line-pattern.js";
