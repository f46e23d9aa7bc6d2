import { createHash } from "node:crypto";
import { badParameter } from "../common/index.js";

/**
 * Where the next page of a search starts, handed to the client as an opaque
 * string: the commit searched (so every page reads the same snapshot even
 * while main moves on), the last position returned (file and line; files in
 * git's tree order, which is byte order of the path), how many hits were
 * returned so far (the cap over all pages), and a digest of the query, so a
 * cursor is only ever used with the query that made it.
 */
export interface SearchCursor {
  /** Digest of the query (see `queryKey`). */
  readonly key: string;
  /** The commit whose tree is searched; null in history mode. */
  readonly commit: string | null;
  /** Last file reached (in history mode: the last device file scanned). */
  readonly path: string;
  /** Last line returned in `path` (0 in history mode: the next page starts after the file). */
  readonly line: number;
  /** Hits (or devices, in history mode) returned by the pages before. */
  readonly total: number;
}

const PATH = /^(?:[a-z0-9][a-z0-9._-]{0,62}\/)?[a-z0-9][a-z0-9._-]{0,62}\.rsc$/;
const MAX_CURSOR = 512;

/** A short digest of what makes two queries the same search. */
export function queryKey(parts: Readonly<Record<string, string | boolean | null>>): string {
  const canonical = JSON.stringify(Object.keys(parts).sort().map((k) => [k, parts[k]]));
  return createHash("sha256").update(canonical).digest("base64url").slice(0, 16);
}

export function encodeCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify({ v: 1, k: c.key, c: c.commit, p: c.path, l: c.line, t: c.total })).toString("base64url");
}

/**
 * The cursor a client sent back, checked field by field; `key` is the
 * current query's digest. Anything else (edited, truncated, another query's)
 * is a `bad_parameter` naming `cursor`.
 */
export function decodeCursor(value: unknown, key: string): SearchCursor {
  const bad = (why: string) => badParameter("cursor", `${why}; start again without it`);
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_CURSOR || !/^[A-Za-z0-9_-]+$/.test(value)) throw bad("not a cursor this service made");
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw bad("not a cursor this service made");
  }
  const o = raw as Record<string, unknown>;
  if (!o || typeof o !== "object" || o.v !== 1) throw bad("not a cursor this service made");
  if (o.k !== key) throw bad("belongs to another query (q, regex, at, group or history differ)");
  const commit = o.c === null ? null : typeof o.c === "string" && /^[0-9a-f]{40}$/.test(o.c) ? o.c : undefined;
  const path = typeof o.p === "string" && PATH.test(o.p) && !o.p.includes("..") ? o.p : undefined;
  const line = Number.isSafeInteger(o.l) && (o.l as number) >= 0 ? (o.l as number) : undefined;
  const total = Number.isSafeInteger(o.t) && (o.t as number) >= 0 ? (o.t as number) : undefined;
  if (commit === undefined || path === undefined || line === undefined || total === undefined) throw bad("not a cursor this service made");
  return { key, commit, path, line, total };
}
