import { createSecretKey, type KeyObject } from "node:crypto";

const keys = new WeakMap<Uint8Array, KeyObject>();

/**
 * The secret-index key as a KeyObject, made once per key: `createHmac` with
 * raw bytes imports the key again on every call (measured: a third of the
 * cost of an unchanged snapshot's seal went to key imports).
 */
export function hmacKey(indexKey: Uint8Array): KeyObject {
  let k = keys.get(indexKey);
  if (!k) keys.set(indexKey, (k = createSecretKey(indexKey)));
  return k;
}
