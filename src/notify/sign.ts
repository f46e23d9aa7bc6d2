import { createHmac, timingSafeEqual } from "node:crypto";

/** `X-Rosarchive-Signature-256`: HMAC-SHA256 over the exact body bytes. */
export function signBody(secret: string | Buffer, body: Buffer | string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Receiver side (tests, examples): lengths first, then constant time. */
export function verifySignature(secret: string | Buffer, body: Buffer | string, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(signBody(secret, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * The key the Standard Webhooks scheme signs with: a secret written as
 * `whsec_<base64>` is those bytes (what its libraries expect); any other
 * secret is its own UTF-8 bytes.
 */
export function standardWebhookKey(secret: string): Buffer {
  return secret.startsWith("whsec_") ? Buffer.from(secret.slice("whsec_".length), "base64") : Buffer.from(secret, "utf8");
}

/**
 * The Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`):
 * the timestamp is signed, so a receiver that refuses old timestamps
 * (five minutes is the usual tolerance) cannot be replayed a captured
 * delivery. The timestamp is the sending time of each attempt; the body and
 * id stay the same across retries.
 */
export function standardWebhookHeaders(secret: string, id: string, timestampSeconds: number, body: Buffer | string): Record<string, string> {
  const signature = createHmac("sha256", standardWebhookKey(secret)).update(`${id}.${timestampSeconds}.`).update(body).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": String(timestampSeconds), "webhook-signature": `v1,${signature}` };
}
