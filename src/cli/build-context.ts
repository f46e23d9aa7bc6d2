import type { Config } from "../config/index.js";
import { createLogger, type Logger } from "../observe/index.js";
import { createPipelineContext, type PipelineContext } from "../pipeline/index.js";
import { ROUTEROS } from "../routeros/index.js";
import { NO_EVENTS, type EventSink } from "../notify/index.js";

/** The composition root's wiring of one pipeline: RouterOS platform, stores, logger. */
export function buildContext(config: Config, env: NodeJS.ProcessEnv, opts: { log?: Logger; events?: EventSink; observe?: PipelineContext["observe"] } = {}): PipelineContext {
  return createPipelineContext({
    config,
    platform: ROUTEROS,
    log: opts.log ?? createLogger({ level: config.logLevel }),
    events: opts.events ?? NO_EVENTS,
    env,
    fsync: env.ROSARCHIVE_FSYNC !== "0",
    ...(opts.observe && { observe: opts.observe }),
  });
}
