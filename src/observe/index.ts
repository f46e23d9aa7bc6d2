export { createLogger, silentLogger, type Logger } from "./logger.js";
export { createMetrics, METRIC_NAMES, type Metrics } from "./metrics.js";
