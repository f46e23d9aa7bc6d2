import { randomUUID } from "node:crypto";
import type { SectionChange } from "../archive/index.js";

/** SPEC §9 event names: one table, checked against the config schema and hook names by a contract test. */
export const EVENTS = ["config.changed", "device.failed", "device.blocked", "device.recovered"] as const;
export type EventName = (typeof EVENTS)[number];

export interface ConfigChangedEvent {
  readonly event: "config.changed";
  readonly id: string;
  readonly tenant: string;
  readonly device: string;
  readonly commit: string;
  readonly parent: string | null;
  readonly collected_at: string;
  readonly trigger: string;
  readonly routeros_version: string;
  readonly stats: { readonly added: number; readonly removed: number };
  readonly sections: readonly SectionChange[];
  readonly links: { readonly diff: string };
}

export interface DeviceEvent {
  readonly event: "device.failed" | "device.blocked" | "device.recovered";
  readonly id: string;
  readonly tenant: string;
  readonly device: string;
  readonly time: string;
  readonly state: string;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly expected_fingerprint?: string;
  readonly presented_fingerprint?: string;
}

export type RosarchiveEvent = ConfigChangedEvent | DeviceEvent;

export function configChangedEvent(f: Omit<ConfigChangedEvent, "event" | "id" | "links">, publicUrl: string): ConfigChangedEvent {
  const diff = `${publicUrl}/api/v1/tenants/${f.tenant}/devices/${f.device}/diff?to=${f.commit}`;
  return { event: "config.changed", id: randomUUID(), ...f, links: { diff } };
}

export function deviceEvent(f: Omit<DeviceEvent, "id">): DeviceEvent {
  return { ...f, id: randomUUID() };
}

/** Where events go: the outbox for webhooks, hooks and SSE. Must be durable before it resolves. */
export interface EventSink {
  emit(event: RosarchiveEvent): Promise<void>;
}

export const NO_EVENTS: EventSink = { emit: async () => {} };
