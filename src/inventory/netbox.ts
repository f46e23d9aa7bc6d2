import { RosarchiveError } from "../common/index.js";
import type { NetboxSourceConfig } from "../config/index.js";
import type { RawRow } from "./inventory-record.js";

/** The two NetBox lists a source may read. */
export const NETBOX_LISTS = {
  devices: "/api/dcim/devices/",
  "virtual-machines": "/api/virtualization/virtual-machines/",
} as const;
export type NetboxList = keyof typeof NETBOX_LISTS;

/**
 * The first page's URL: the configured filters as NetBox query parameters
 * (a list repeats the parameter: NetBox reads it as "any of"), `limit` as
 * the page size. Later pages follow the answer's `next`.
 */
export function netboxFirstPage(s: Pick<NetboxSourceConfig, "url" | "filter" | "pageSize">, list: NetboxList): string {
  const q = new URLSearchParams();
  for (const key of ["platform", "status", "tenant", "tag", "site", "role"] as const) for (const v of s.filter[key] ?? []) q.append(key, v);
  q.set("limit", String(s.pageSize));
  return `${s.url}${NETBOX_LISTS[list]}?${q.toString()}`;
}

/**
 * The `next` link of an answer, on the configured origin. NetBox builds it
 * from the request it saw, which behind a proxy may name another scheme or
 * host; the token must never go anywhere but the configured URL, so only the
 * path and query are taken, and only under the configured base path.
 */
export function netboxNextPage(s: Pick<NetboxSourceConfig, "url">, next: unknown): string | null {
  if (next === null || next === undefined) return null;
  if (typeof next !== "string") throw new RosarchiveError("source_failed", "the answer's next is not a URL");
  let u: URL;
  try {
    u = new URL(next, s.url);
  } catch {
    throw new RosarchiveError("source_failed", `the answer's next is not a URL: ${JSON.stringify(next.slice(0, 120))}`);
  }
  const base = new URL(s.url);
  const basePath = base.pathname.replace(/\/+$/, "");
  if (!u.pathname.startsWith(`${basePath}/api/`)) throw new RosarchiveError("source_failed", `the answer's next (${u.pathname.slice(0, 120)}) is outside ${basePath}/api/`);
  return `${base.origin}${u.pathname}${u.search}`;
}

/** One answer page: its rows and its `next`. Each result becomes a row; results NetBox cannot route to (no name, no primary IP) are skipped with the reason. */
export function netboxPage(
  answer: unknown,
  s: Pick<NetboxSourceConfig, "customFields">,
  list: NetboxList,
): { rows: Array<{ where: string; raw: RawRow }>; skipped: Array<{ row: string; reason: string }>; next: unknown } {
  if (answer === null || typeof answer !== "object" || !Array.isArray((answer as { results?: unknown }).results)) {
    throw new RosarchiveError("source_failed", "the answer is not a NetBox list (an object with results)");
  }
  const page = answer as { results: unknown[]; next?: unknown };
  const rows: Array<{ where: string; raw: RawRow }> = [];
  const skipped: Array<{ row: string; reason: string }> = [];
  const kind = list === "devices" ? "device" : "virtual machine";
  for (const r of page.results) {
    const o = (r && typeof r === "object" ? r : {}) as Record<string, unknown>;
    const where = `${kind} ${typeof o.id === "number" ? o.id : "?"}${typeof o.name === "string" ? ` (${o.name.slice(0, 64)})` : ""}`;
    if (typeof o.name !== "string" || o.name.trim() === "") {
      skipped.push({ row: where, reason: "it has no name" });
      continue;
    }
    const ip = primaryAddress(o);
    if (!ip) {
      skipped.push({ row: where, reason: "it has no primary IP" });
      continue;
    }
    const cf = (o.custom_fields && typeof o.custom_fields === "object" ? o.custom_fields : {}) as Record<string, unknown>;
    const field = (key: keyof NetboxSourceConfig["customFields"]) => (s.customFields[key] ? cf[s.customFields[key]!] : undefined);
    const site = o.site && typeof o.site === "object" ? (o.site as { slug?: unknown }).slug : undefined;
    rows.push({
      where,
      raw: { id: o.name, host: ip, site, port: field("port"), group: field("group"), interval: field("interval"), credentials: field("credentials"), enabled: field("enabled") },
    });
  }
  return { rows, skipped, next: page.next };
}

/** The primary IP without its prefix length (`10.0.254.1/24` → `10.0.254.1`): `primary_ip`, else `primary_ip4`, else `primary_ip6`. */
function primaryAddress(o: Record<string, unknown>): string | null {
  for (const key of ["primary_ip", "primary_ip4", "primary_ip6"]) {
    const ip = o[key];
    if (ip && typeof ip === "object" && typeof (ip as { address?: unknown }).address === "string") {
      const address = (ip as { address: string }).address.split("/")[0]!.trim();
      if (address) return address;
    }
  }
  return null;
}
