import type { Config, ConfigSource } from "../config/index.js";
import { createLogger, type Logger } from "../observe/index.js";
import { createPipelineContext, type PipelineContext } from "../pipeline/index.js";
import { ROUTEROS } from "../routeros/index.js";
import { NO_EVENTS, type EventSink } from "../notify/index.js";
import { RUN_TIMING } from "../scheduler/index.js";

/** The composition root's wiring of one pipeline: RouterOS platform, stores, logger. */
export function buildContext(config: Config | ConfigSource, env: NodeJS.ProcessEnv, opts: { log?: Logger; events?: EventSink; observe?: PipelineContext["observe"]; remote?: (ctx: PipelineContext) => NonNullable<PipelineContext["remote"]> } = {}): PipelineContext {
  const source: ConfigSource = typeof config === "function" ? config : () => config;
  return createPipelineContext({
    config: source,
    platform: ROUTEROS,
    timing: RUN_TIMING,
    log: opts.log ?? createLogger({ level: source().logLevel }),
    events: opts.events ?? NO_EVENTS,
    env,
    fsync: env.ROSARCHIVE_FSYNC !== "0",
    ...(opts.observe && { observe: opts.observe }),
    ...(opts.remote && { remote: opts.remote }),
  });
}
