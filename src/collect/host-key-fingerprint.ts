import { createHash } from "node:crypto";

/**
 * `SHA256:` + unpadded base64 of SHA-256 of the raw public key blob: the
 * Format `ssh-keygen -l` prints and pins (trust on first use).
 */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "");
}
