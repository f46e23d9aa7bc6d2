import { capSections, type SectionChange, type SectionsOmitted } from "../archive/index.js";

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
  /** At most the 100 sections with the most changed lines, in file order. */
  readonly sections: readonly SectionChange[];
  /** Present when sections were left out of `sections`: how many, and their lines. */
  readonly sections_omitted?: SectionsOmitted;
  /** Present (true) when the counts come from the bounded diff's fallback. */
  readonly approximate?: true;
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

/** A device left the inventory (or the config file): `commit` removed its file from main; its history stays. */
export interface DeviceRetiredEvent {
  readonly event: "device.retired";
  readonly id: string;
  readonly tenant: string;
  readonly device: string;
  readonly time: string;
  readonly commit: string;
  readonly parent: string | null;
  /** Where the device was listed last: `config`, or the inventory source's name. */
  readonly source: string;
}

/** An inventory source's sync failed, recovered, or would remove more devices than it may without confirmation. */
export interface InventoryEvent {
  readonly event: "inventory.failed" | "inventory.recovered" | "inventory.removal_refused";
  readonly id: string;
  readonly tenant: string;
  readonly source: string;
  readonly time: string;
  readonly error: { readonly code: string; readonly message: string } | null;
  /** For `inventory.removal_refused`: what would go (at most 100 ids listed, `count` is all of them). */
  readonly removal?: { readonly devices: readonly string[]; readonly count: number; readonly share: number; readonly max_removal: number; readonly digest: string };
}

/** A policy check that starts failing on a device (`policy.violated`) or stops (`policy.resolved`). */
export interface PolicyEvent {
  readonly event: "policy.violated" | "policy.resolved";
  readonly id: string;
  readonly tenant: string;
  readonly device: string;
  readonly time: string;
  readonly check: string;
  readonly severity: string;
  /** The device's snapshot evaluated. */
  readonly commit: string;
  /** violated: the line standing against a must_not_contain pattern, or the must_contain pattern no line matched. */
  readonly line: { readonly number: number; readonly section: string; readonly text: string } | null;
  readonly missing: string | null;
  readonly links: { readonly policy: string };
}

export type RosarchiveEvent = ConfigChangedEvent | DeviceEvent | DeviceRetiredEvent | InventoryEvent | PolicyEvent;

/**
 * The most bytes one serialized event may take: what a webhook receiver, an
 * SSE client and a hook's stdin get at most. `sections` is capped (100
 * entries, names cut at 128 characters), free text is cut, and if a body
 * still came out larger, sections move into `sections_omitted` until it fits.
 */
export const MAX_EVENT_BYTES = 64 * 1024;
/** Longest RouterOS version and error message an event carries. */
const MAX_VERSION_CHARS = 64;
const MAX_MESSAGE_CHARS = 2000;

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** `newId` makes the event's id (a UUID in the service; injected so tests can pin it). */
export function configChangedEvent(f: Omit<ConfigChangedEvent, "event" | "id" | "links">, publicUrl: string, newId: () => string): ConfigChangedEvent {
  const diff = `${publicUrl}/api/v1/tenants/${f.tenant}/devices/${f.device}/diff?to=${f.commit}`;
  const { sections_omitted: earlier, approximate, sections: all, ...rest } = f;
  let { sections, omitted } = capSections(all, undefined, earlier);
  const id = newId();
  for (;;) {
    const event: ConfigChangedEvent = {
      event: "config.changed",
      id,
      ...rest,
      routeros_version: cut(f.routeros_version, MAX_VERSION_CHARS),
      sections,
      ...(omitted && omitted.sections > 0 && { sections_omitted: omitted }),
      ...(approximate && { approximate: true as const }),
      links: { diff },
    };
    if (sections.length === 0 || Buffer.byteLength(JSON.stringify(event)) <= MAX_EVENT_BYTES) return event;
    // Only with section names full of characters JSON escapes: the smallest sections go first.
    ({ sections, omitted } = capSections(sections, Math.floor(sections.length / 2), omitted));
  }
}

export function deviceEvent(f: Omit<DeviceEvent, "id">, newId: () => string): DeviceEvent {
  return { ...f, ...(f.error && { error: { code: f.error.code, message: cut(f.error.message, MAX_MESSAGE_CHARS) } }), id: newId() };
}

export function policyEvent(f: Omit<PolicyEvent, "id" | "links">, publicUrl: string, newId: () => string): PolicyEvent {
  return { ...f, id: newId(), links: { policy: `${publicUrl}/api/v1/tenants/${f.tenant}/policy` } };
}

/** Where events go: the outbox for webhooks, hooks and SSE. Must be durable before it resolves. */
export interface EventSink {
  emit(event: RosarchiveEvent): Promise<void>;
}

export const NO_EVENTS: EventSink = { emit: async () => {} };
