import { createHmac } from "node:crypto";
import { hmacKey } from "./hmac-key.js";

/** Format of the hashed fields; bump to start a fresh index (every secret re-sealed once). */
const INDEX_FORMAT = "rosarchive-seal-1";

export interface IndexKeyFields {
  readonly context: string;
  /** Sorted recipients: a new recipient set re-seals everything, so it can decrypt. */
  readonly recipients: string;
  readonly menu: string | null;
  readonly name: string;
  /** The line with every sensitive value blanked: a value is tied to its line, not to its neighbours' secrets. */
  readonly blankedLine: string;
  /** The exact raw token, quotes included. */
  readonly plaintext: string;
}

/**
 * Stable ciphertext: the secret index key of one value, a keyed hash
 * (HMAC-SHA256, hex). Without the key it reveals nothing about the secret,
 * not even equality across devices or indexes with another key.
 */
export function secretIndexKey(indexKey: Uint8Array, f: IndexKeyFields): string {
  // JSON of an array: unambiguous field boundaries whatever the values hold.
  const message = JSON.stringify([INDEX_FORMAT, f.context, f.recipients, f.menu, f.name, f.blankedLine, f.plaintext]);
  return createHmac("sha256", hmacKey(indexKey)).update(message).digest("hex");
}
