import { RosarchiveError } from "../common/index.js";

export interface HttpAnswer {
  readonly status: number;
  readonly etag: string | null;
  readonly body: string;
}

/** GET with headers, a deadline and a size cap; the only place inventory sources touch the network. */
export type HttpGet = (url: string, headers: Record<string, string>, opts: { readonly timeoutMs: number; readonly maxBytes: number; readonly signal?: AbortSignal }) => Promise<HttpAnswer>;

/**
 * The real GET (Node's fetch). Redirects are not followed: a token sent to
 * the configured URL must not travel to wherever a redirect points. The body
 * is read up to `maxBytes`, then the request is dropped.
 */
export const httpGet: HttpGet = async (url, headers, opts) => {
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: "manual", signal });
  } catch (err) {
    throw networkError(err, url, opts.timeoutMs);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size > opts.maxBytes) {
          await res.body.cancel().catch(() => {});
          throw new RosarchiveError("source_failed", `${shownUrl(url)} answered more than ${opts.maxBytes} bytes`);
        }
        chunks.push(Buffer.from(chunk));
      }
    }
  } catch (err) {
    if (err instanceof RosarchiveError) throw err;
    throw networkError(err, url, opts.timeoutMs);
  }
  return { status: res.status, etag: res.headers.get("etag"), body: Buffer.concat(chunks).toString("utf8") };
};

function networkError(err: unknown, url: string, timeoutMs: number): RosarchiveError {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return new RosarchiveError("timeout", `${shownUrl(url)} did not answer within ${timeoutMs} ms`);
  return new RosarchiveError("unreachable", `${shownUrl(url)}: ${e.cause?.code ?? e.cause?.message ?? e.message}`.slice(0, 300));
}

/** A URL for messages: no user info, no query (filters are harmless, but a query may carry a token). */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(bad URL)";
  }
}
