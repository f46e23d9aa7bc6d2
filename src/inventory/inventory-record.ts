import { isValidId, parseDuration } from "../common/index.js";

/** One device as an inventory source lists it, checked; defaults apply later (resolve-device.ts). */
export interface InventoryRecord {
  readonly id: string;
  readonly host: string;
  readonly port?: number;
  readonly group?: string;
  readonly site?: string;
  readonly enabled?: boolean;
  readonly intervalMs?: number;
  /** Name of a credential set of the config; sources never carry secrets. */
  readonly credentials?: string;
}

/** The raw values of one row, by device key (strings from a CSV, anything from JSON). */
export type RawRow = Partial<Record<keyof InventoryRecord | "interval", unknown>>;

/**
 * What became of one row:
 * - `ok`: a device;
 * - `skip`: no valid device id (it can never have been in the inventory, so
 *   skipping it retires nothing): reported, the sync goes on;
 * - `invalid`: a valid id with a bad setting: the whole sync fails and the
 *   last good list stays, so a typo never retires a device.
 */
export type RowVerdict = { readonly kind: "ok"; readonly record: InventoryRecord } | { readonly kind: "skip"; readonly reason: string } | { readonly kind: "invalid"; readonly message: string };

/** Host names and addresses: letters, digits and `.:-_%[]`, as a resolver or an IPv6 literal takes them. */
const HOST = /^[A-Za-z0-9._:%[\]-]{1,253}$/;

const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");
const text = (v: unknown) => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : null);
const shown = (v: unknown) => JSON.stringify(typeof v === "string" ? v.slice(0, 80) : v)?.slice(0, 100) ?? String(v);

/** Checks one row. Ids, groups, sites and set names are lowercased (NetBox and CSV files often capitalize them). */
export function checkRow(raw: RawRow): RowVerdict {
  if (blank(raw.id)) return { kind: "skip", reason: "no device id" };
  const idText = text(raw.id);
  const id = idText?.toLowerCase() ?? "";
  if (!isValidId(id)) return { kind: "skip", reason: `${shown(raw.id)} is not a valid device id (lowercase letters, digits, '.', '_', '-', at most 63)` };
  const bad = (key: string, why: string): RowVerdict => ({ kind: "invalid", message: `device ${id}: ${key} ${shown(raw[key as keyof RawRow])} ${why}` });

  const host = text(raw.host);
  if (blank(raw.host) || host === null) return bad("host", "is missing");
  if (!HOST.test(host)) return bad("host", "is not a host name or address");
  const record: { -readonly [K in keyof InventoryRecord]?: InventoryRecord[K] } = { id, host };

  if (!blank(raw.port)) {
    const port = typeof raw.port === "number" ? raw.port : /^[0-9]{1,5}$/.test(text(raw.port) ?? "") ? Number(text(raw.port)) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65535) return bad("port", "is not a port number (1-65535)");
    record.port = port;
  }
  for (const key of ["group", "site", "credentials"] as const) {
    if (blank(raw[key])) continue;
    const v = text(raw[key])?.toLowerCase() ?? "";
    if (!isValidId(v)) return bad(key, "is not a valid identifier");
    record[key] = v;
  }
  if (!blank(raw.enabled)) {
    const v = raw.enabled;
    const t = typeof v === "string" ? v.trim().toLowerCase() : v;
    if (t === true || t === "true" || t === "yes" || t === "1" || t === 1) record.enabled = true;
    else if (t === false || t === "false" || t === "no" || t === "0" || t === 0) record.enabled = false;
    else return bad("enabled", "is not true or false");
  }
  if (!blank(raw.interval)) {
    // A number is seconds (NetBox integer custom fields); a string is a duration like 6h.
    const ms = typeof raw.interval === "number" ? (Number.isSafeInteger(raw.interval) && raw.interval > 0 ? raw.interval * 1000 : null) : parseDuration(text(raw.interval) ?? "");
    if (!ms || ms <= 0) return bad("interval", "is not a duration like 30m, 6h, 1d");
    record.intervalMs = ms;
  }
  return { kind: "ok", record: record as InventoryRecord };
}

/** A value at a dotted path (`primary_ip.address`, `custom_fields.ssh_port`); undefined when any step is missing. */
export function valueAt(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const step of dotted.split(".")) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur) || !Object.hasOwn(cur, step)) return undefined;
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}
