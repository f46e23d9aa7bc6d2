import type { Config } from "../config/index.js";
import type { Logger } from "../observe/index.js";
import { EventBus, HookRunner, Outbox } from "../notify/index.js";

export interface Notifier {
  readonly outbox: Outbox;
  readonly hooks: HookRunner;
  readonly bus: EventBus;
}

/**
 * The event path every command shares: durable outbox (webhooks), local hooks,
 * live bus (SSE). A one-shot `backup`/`import` writes the outbox too; a
 * running `serve` delivers from it.
 */
export function createNotifier(config: () => Config, env: NodeJS.ProcessEnv, log: Logger, onQueued?: () => void, onHook?: (r: "ok" | "failed" | "timeout") => void): Notifier {
  const c = config();
  const bus = new EventBus();
  const hooks = new HookRunner({ config, stateDir: c.stateDir, home: env.HOME ?? "/", log, ...(onHook && { onResult: onHook }) });
  const outbox = new Outbox({ stateDir: c.stateDir, config, log, bus, hooks, ...(onQueued && { onQueued }) });
  return { outbox, hooks, bus };
}
