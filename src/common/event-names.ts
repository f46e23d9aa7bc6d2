/**
 * Every event the service emits, one table: webhooks filter on these names
 * (config), hooks are executables named after them, and SSE streams carry
 * them. A new event is one more entry here.
 */
export const EVENT_NAMES = ["config.changed", "device.failed", "device.blocked", "device.recovered"] as const;

export type EventName = (typeof EVENT_NAMES)[number];
