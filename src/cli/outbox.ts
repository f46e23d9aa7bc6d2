import type { Config } from "../config/index.js";
import { NO_EVENTS, type EventSink } from "../notify/index.js";

/**
 * The event sink one-shot commands write to, so a CLI `backup` or `import`
 * still notifies (the running `serve` delivers from the same outbox).
 */
export async function createOutbox(_config: Config, _env: NodeJS.ProcessEnv): Promise<EventSink> {
  return NO_EVENTS;
}
