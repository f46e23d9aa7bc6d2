export * from "./events.js";
export { signBody, verifySignature, standardWebhookHeaders, standardWebhookKey } from "./sign.js";
export { EventBus, type BusMessage } from "./event-bus.js";
export { HookRunner, findHooks } from "./hooks.js";
export { Outbox, listDeliveries, webhookKey, type Delivery } from "./outbox.js";
export { WebhookDeliverer, defaultBackoff } from "./webhook-deliverer.js";
