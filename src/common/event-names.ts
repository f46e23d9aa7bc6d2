/**
 * Every event the service emits, one table: webhooks filter on these names
 * (config), hooks are executables named after them, and SSE streams carry
 * them. A new event is one more entry here.
 */
export const EVENT_NAMES = [
  // one per commit of a changed snapshot
  "config.changed",
  // device state transitions
  "device.failed",
  "device.blocked",
  "device.recovered",
  // a device left the inventory or the config file: its file was removed from main in one commit
  "device.retired",
  // an inventory source could not be read or its list was refused (the last good list stays); and back
  "inventory.failed",
  "inventory.recovered",
  // a sync would remove more than the source's max_removal: it waits for an admin's confirmation
  "inventory.removal_refused",
  // a policy check starts failing on a device's newest snapshot; and passes again
  "policy.violated",
  "policy.resolved",
] as const;

export type EventName = (typeof EVENT_NAMES)[number];
