import { createHmac, timingSafeEqual } from "node:crypto";

/** SPEC §9 `X-Rosarchive-Signature-256`: HMAC-SHA256 over the exact body bytes. */
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
