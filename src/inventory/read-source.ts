import { promises as fs } from "node:fs";
import { RosarchiveError } from "../common/index.js";
import type { HttpSourceConfig, InventorySourceConfig, NetboxSourceConfig, SourceAuth } from "../config/index.js";
import { shownUrl, type HttpGet } from "./http-get.js";
import { mapHttpAnswer } from "./map-http.js";
import { netboxFirstPage, netboxNextPage, netboxPage, type NetboxList } from "./netbox.js";
import { parseCsvInventory } from "./parse-csv.js";
import { parseRouterDb } from "./parse-router-db.js";
import type { RawRow } from "./inventory-record.js";
import { listFromRows, type SourceList } from "./source-list.js";

/** The edges a read needs, injected. */
export interface SourceReadDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly readFile: (path: string) => Promise<string>;
  readonly get: HttpGet;
  readonly signal?: AbortSignal;
}

export type SourceRead = { readonly kind: "list"; readonly list: SourceList; readonly etag: string | null } | { readonly kind: "not_modified" };

/** Largest answer (file or HTTP body) a source may give. */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;
/** NetBox pages followed at most (a `next` loop, or a page size of 1 over a huge fleet). */
export const MAX_NETBOX_PAGES = 2000;

/** A text file of at most MAX_SOURCE_BYTES (the file source, token and password files). */
export async function readFileCapped(file: string): Promise<string> {
  const st = await fs.stat(file);
  if (st.size > MAX_SOURCE_BYTES) throw new RosarchiveError("inventory_invalid", `${file} is larger than ${MAX_SOURCE_BYTES} bytes`);
  return fs.readFile(file, "utf8");
}

/** Reads one source once. `etag` is the last good answer's (http only): an unchanged answer is `not_modified`. */
export async function readSource(s: InventorySourceConfig, deps: SourceReadDeps, etag: string | null): Promise<SourceRead> {
  if (s.type === "file") {
    let text: string;
    try {
      text = await deps.readFile(s.path);
    } catch (err) {
      if (err instanceof RosarchiveError) throw err;
      throw new RosarchiveError("unreachable", `cannot read ${s.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const list = s.format === "csv" ? parseCsvInventory(text, s) : parseRouterDb(text, s);
    return { kind: "list", list, etag: null };
  }
  if (s.type === "http") return readHttp(s, deps, etag);
  return readNetbox(s, deps);
}

async function readHttp(s: HttpSourceConfig, deps: SourceReadDeps, etag: string | null): Promise<SourceRead> {
  const auth = await authorization(s.auth, "Bearer", s.name, deps);
  const headers: Record<string, string> = { Accept: "application/json", ...(auth && { Authorization: auth }), ...(etag && { "If-None-Match": etag }) };
  const res = await deps.get(s.url, headers, { timeoutMs: s.timeoutMs, maxBytes: MAX_SOURCE_BYTES, ...(deps.signal && { signal: deps.signal }) });
  if (res.status === 304 && etag) return { kind: "not_modified" };
  const answer = jsonOf(res, s.url);
  return { kind: "list", list: mapHttpAnswer(answer, s), etag: res.etag };
}

async function readNetbox(s: NetboxSourceConfig, deps: SourceReadDeps): Promise<SourceRead> {
  // NetBox v1 tokens go as `Token <key>`; v2 tokens (nbt_...) as `Bearer`.
  const token = await authorization(s.auth, "Token", s.name, deps);
  const headers: Record<string, string> = { Accept: "application/json", ...(token && { Authorization: token }) };
  const rows: Array<{ where: string; raw: RawRow }> = [];
  const skipped: Array<{ row: string; reason: string }> = [];
  const lists: NetboxList[] = s.virtualMachines ? ["devices", "virtual-machines"] : ["devices"];
  let pages = 0;
  for (const list of lists) {
    const seen = new Set<string>();
    for (let url: string | null = netboxFirstPage(s, list); url; ) {
      if (seen.has(url) || ++pages > MAX_NETBOX_PAGES) throw new RosarchiveError("source_failed", `NetBox paging did not end after ${pages} pages (${shownUrl(url)})`);
      seen.add(url);
      const res = await deps.get(url, headers, { timeoutMs: s.timeoutMs, maxBytes: MAX_SOURCE_BYTES, ...(deps.signal && { signal: deps.signal }) });
      const page = netboxPage(jsonOf(res, url), s, list);
      rows.push(...page.rows);
      skipped.push(...page.skipped);
      url = netboxNextPage(s, page.next);
    }
  }
  const list = listFromRows(rows);
  return { kind: "list", list: { records: list.records, skipped: [...skipped, ...list.skipped] }, etag: null };
}

function jsonOf(res: { status: number; body: string }, url: string): unknown {
  if (res.status < 200 || res.status > 299) {
    const hint = res.status === 401 || res.status === 403 ? " (check the source's token)" : "";
    throw new RosarchiveError("source_failed", `${shownUrl(url)} answered HTTP ${res.status}${hint}`);
  }
  try {
    return JSON.parse(res.body);
  } catch {
    throw new RosarchiveError("source_failed", `${shownUrl(url)} did not answer JSON`);
  }
}

/** The Authorization header value from the source's token or basic auth, read at the moment of use; errors name the key, never the value. */
async function authorization(auth: SourceAuth, scheme: "Bearer" | "Token", source: string, deps: SourceReadDeps): Promise<string | null> {
  const secret = async (envKey: string | undefined, file: string | undefined, what: string): Promise<string | null> => {
    if (envKey) {
      const v = deps.env[envKey];
      if (v === undefined || v === "") throw new RosarchiveError("config_invalid", `environment variable ${envKey} (${what} of inventory source ${source}) is not set`);
      return v;
    }
    if (file) {
      try {
        return (await deps.readFile(file)).replace(/\r?\n$/, "");
      } catch (err) {
        throw new RosarchiveError("config_invalid", `cannot read ${file} (${what} of inventory source ${source}): ${(err as NodeJS.ErrnoException).code ?? "unreadable"}`);
      }
    }
    return null;
  };
  const token = await secret(auth.token_env, auth.token_file, auth.token_env ? "token_env" : "token_file");
  if (token !== null) return `${scheme === "Token" && !token.startsWith("nbt_") ? "Token" : "Bearer"} ${token}`;
  if (auth.basic) {
    const password = await secret(auth.basic.password_env, auth.basic.password_file, "basic password");
    return `Basic ${Buffer.from(`${auth.basic.username}:${password ?? ""}`).toString("base64")}`;
  }
  return null;
}
