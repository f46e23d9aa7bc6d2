import { parseDuration } from "../common/index.js";
import type { RawInventorySource } from "./inventory-schema.js";
import type { InventorySourceConfig, SourceAuth } from "./types.js";

/** The default positions of Oxidized's `router.db` lines: `name:ip:model:group`. */
export const ROUTER_DB_MAP = { name: 0, ip: 1, model: 2, group: 3 } as const;

/** A tenant's `inventory:` list → resolved sources (absolute paths, milliseconds, fractions); problems name the key path. */
export function resolveInventory(raw: readonly RawInventorySource[], where: string, abs: (p: string) => string, problems: Array<{ path: string; message: string }>): InventorySourceConfig[] {
  const seen = new Map<string, number>();
  return raw.map((s, i) => {
    const at = `${where}[${i}]`;
    const name = s.name ?? s.type;
    const before = seen.get(name);
    if (before !== undefined) problems.push({ path: `${at}.name`, message: `another source of this tenant (${where}[${before}]) is named "${name}": give each a distinct name` });
    seen.set(name, i);
    const common = {
      name,
      intervalMs: parseDuration(s.interval)!,
      maxRemoval: Number(s.max_removal.slice(0, -1)) / 100,
      timeoutMs: parseDuration(s.timeout)!,
    };
    if (s.type === "file") {
      return {
        ...common,
        type: "file",
        path: abs(s.path),
        format: s.format,
        delimiter: s.delimiter ?? (s.format === "csv" ? "," : ":"),
        fields: s.fields ?? {},
        map: { ...ROUTER_DB_MAP, ...s.map },
        models: s.models,
      };
    }
    const auth = resolveAuth(s, at, abs, problems);
    if (s.type === "http") {
      return { ...common, type: "http", url: s.url, items: s.items ?? null, fields: s.fields, auth };
    }
    if (!auth.token_env && !auth.token_file) problems.push({ path: `${at}.token_env`, message: "required (or token_file): NetBox answers only with an API token" });
    const filter: Record<string, readonly string[]> = {};
    for (const [k, v] of Object.entries(s.filter)) if (v !== undefined) filter[k] = typeof v === "string" ? [v] : v;
    return {
      ...common,
      type: "netbox",
      url: s.url.replace(/\/+$/, ""),
      filter,
      virtualMachines: s.virtual_machines,
      customFields: s.custom_fields,
      pageSize: s.page_size,
      auth,
    };
  });
}

function resolveAuth(
  s: { token_env?: string | undefined; token_file?: string | undefined; basic?: { username: string; password_env?: string | undefined; password_file?: string | undefined } | undefined },
  at: string,
  abs: (p: string) => string,
  problems: Array<{ path: string; message: string }>,
): SourceAuth {
  if (s.token_env && s.token_file) problems.push({ path: `${at}.token_file`, message: "set token_env or token_file, not both" });
  if ((s.token_env || s.token_file) && s.basic) problems.push({ path: `${at}.basic`, message: "set a token or basic auth, not both" });
  if (s.basic && !s.basic.password_env === !s.basic.password_file) problems.push({ path: `${at}.basic.password_env`, message: "set exactly one of password_env or password_file" });
  return {
    ...(s.token_env && { token_env: s.token_env }),
    ...(s.token_file && { token_file: abs(s.token_file) }),
    ...(s.basic && {
      basic: {
        username: s.basic.username,
        ...(s.basic.password_env && { password_env: s.basic.password_env }),
        ...(s.basic.password_file && { password_file: abs(s.basic.password_file) }),
      },
    }),
  };
}
