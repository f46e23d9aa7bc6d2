import { createHash, createHmac } from "node:crypto";
import { hmacKey } from "./hmac-key.js";

/** Format of the fingerprinted message; bump if what is fingerprinted changes. */
const FINGERPRINT_FORMAT = "rosarchive-plain-1";

/**
 * A keyed fingerprint (HMAC-SHA256 under the secret-index key, hex) of one
 * device's normalized plaintext export. Two snapshots with the same
 * fingerprint hold the same configuration, secrets included, whatever their
 * ciphertexts: a commit whose sealed text changed while the fingerprint did
 * not only re-sealed values (new recipients). Without the key it reveals
 * nothing, not even equality across devices.
 */
export function plaintextFingerprint(indexKey: Uint8Array, context: string, text: string): string {
  return createHmac("sha256", hmacKey(indexKey)).update(JSON.stringify([FINGERPRINT_FORMAT, context])).update("\n").update(text).digest("hex");
}

/**
 * The git blob id of an archived, sealed text (public data: the archive holds
 * it): it tells which archived file a fingerprint describes, and compares with
 * the archive's own blob ids without reading the file.
 */
export function sealedDigest(text: string | Uint8Array): string {
  const body = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  return createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
}

/** SHA-256 (hex) of a recipient set, order ignored: public keys, so a plain hash is fine. */
export function recipientsDigest(recipients: readonly string[]): string {
  return createHash("sha256").update([...recipients].sort().join(",")).digest("hex");
}

/** Format of the export digest; bump if what is digested changes. */
const EXPORT_DIGEST_FORMAT = "rosarchive-export-1";

/**
 * A keyed digest (HMAC-SHA256 under the secret-index key, hex) of one
 * export exactly as collected, before normalization: the same digest again
 * is the same export. Kept in memory only (never in a file); without the
 * key it reveals nothing about the text.
 */
export function exportDigest(indexKey: Uint8Array, context: string, text: string): string {
  return createHmac("sha256", hmacKey(indexKey)).update(JSON.stringify([EXPORT_DIGEST_FORMAT, context])).update("\n").update(text).digest("hex");
}
