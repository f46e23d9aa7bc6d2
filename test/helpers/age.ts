import { generateX25519Identity, identityToRecipient } from "age-encryption";

export interface TestAgePair {
  readonly identity: string;
  readonly recipient: string;
}

/** A fresh X25519 identity and its recipient, for tests that seal and unseal. */
export async function makeAgePair(): Promise<TestAgePair> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** A fixed 32-byte secret-index key: tests need stable, not secret, keys. */
export function testIndexKey(fill = 7): Uint8Array {
  return new Uint8Array(32).fill(fill);
}
