import { bech32 } from "@scure/base";
import { Decrypter, Encrypter } from "age-encryption";
import { RosarchiveError } from "../common/index.js";
import { encryptAgeFile, x25519Recipient, type X25519Recipient } from "./age-file.js";

/** The prefix of a sealed value token: `age:<base64url of the binary age file>`. */
export const SEALED_PREFIX = "age:";

/** Every binary age file starts with this line (age-encryption.org/v1 format). */
const AGE_MAGIC = "age-encryption.org/";

const X25519_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;
/** Recipients already checked: they are public keys, and checking costs a bech32 decode per call. */
const validRecipients = new Set<string>();

/** Throws `bad_parameter` naming the first recipient that is not an X25519 age recipient. */
export function validateRecipients(recipients: readonly string[]): void {
  if (recipients.length === 0) {
    throw new RosarchiveError("bad_parameter", "encryption.recipients: at least one age recipient (age1...) is required", {
      param: "encryption.recipients",
    });
  }
  for (const r of recipients) {
    if (validRecipients.has(r)) continue;
    let ok = X25519_RECIPIENT.test(r);
    if (ok) {
      try {
        new Encrypter().addRecipient(r); // checks the bech32 checksum and key
      } catch {
        ok = false;
      }
    }
    if (!ok) {
      throw new RosarchiveError("bad_parameter", `encryption.recipients: ${JSON.stringify(r)} is not an X25519 age recipient (age1..., as printed by \`rosarchive keygen\` or age-keygen)`, {
        param: "encryption.recipients",
        recipient: r,
      });
    }
    validRecipients.add(r);
  }
}

/** Sealers for these (validated) recipients: their keys parsed once. */
export interface Sealer {
  readonly recipients: readonly X25519Recipient[];
}

const parsedRecipients = new Map<string, X25519Recipient>();

/** A sealer for these (validated) recipients. */
export function encrypterFor(recipients: readonly string[]): Sealer {
  return {
    recipients: recipients.map((r) => {
      let parsed = parsedRecipients.get(r);
      if (!parsed) {
        parsed = x25519Recipient(bech32.decodeToBytes(r).bytes);
        if (parsedRecipients.size > 1000) parsedRecipients.clear();
        parsedRecipients.set(r, parsed);
      }
      return parsed;
    }),
  };
}

/** Seals one raw value token: its exact text is the age plaintext (a fresh age file, native crypto). */
export async function sealToken(sealer: Sealer, raw: string): Promise<string> {
  return SEALED_PREFIX + encryptAgeFile(Buffer.from(raw, "utf8"), sealer.recipients).toString("base64url");
}

/** The age file inside a sealed token's base64url body, or null when it is not one. */
export function ageFileOf(body: string): Uint8Array | null {
  const bytes = Buffer.from(body, "base64url");
  if (bytes.length <= AGE_MAGIC.length || bytes.toString("latin1", 0, AGE_MAGIC.length) !== AGE_MAGIC) return null;
  return bytes;
}

/** A decrypter for these identities; a malformed one is refused without echoing it. */
export function decrypterFor(identities: readonly string[]): Decrypter {
  if (identities.length === 0) throw new RosarchiveError("bad_parameter", "no age identity (AGE-SECRET-KEY-1...) given", { param: "identity" });
  const d = new Decrypter();
  identities.forEach((id, i) => {
    const bad = () => new RosarchiveError("bad_parameter", `identity #${i + 1} is not a valid age identity (AGE-SECRET-KEY-1...)`, { param: "identity" });
    if (!id.startsWith("AGE-SECRET-KEY-")) throw bad();
    try {
      d.addIdentity(id);
    } catch {
      throw bad(); // never echo the identity: it is the archive's private key
    }
  });
  return d;
}
