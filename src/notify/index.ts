export * from "./events.js";
export { signBody, verifySignature, standardWebhookHeaders, standardWebhookKey } from "./sign.js";
export { EventBus, type BusMessage } from "./event-bus.js";
export { HookRunner, findHooks, HOOK_DRAIN_MS } from "./hooks.js";
export { HookQueue, type QueuedHookRun } from "./hook-queue.js";
export { Outbox, listDeliveries, webhookKey, type Delivery } from "./outbox.js";
export { WebhookDeliverer, defaultBackoff } from "./webhook-deliverer.js";
