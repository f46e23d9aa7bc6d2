import { generateX25519Identity, identityToRecipient } from "age-encryption";
import { RosarchiveError } from "../common/index.js";

/** A new X25519 identity and its recipient, in the age CLI's formats (`rosarchive keygen`). */
export async function generateIdentityPair(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** The recipient (`age1...`) of an identity; a malformed identity is refused without echoing it. */
export async function recipientOf(identity: string): Promise<string> {
  try {
    return await identityToRecipient(identity.trim());
  } catch {
    throw new RosarchiveError("bad_parameter", "not a valid age identity (AGE-SECRET-KEY-1...)", { param: "identity" });
  }
}

/**
 * The identities of an age identity file (as written by age-keygen or
 * `rosarchive keygen`): every line starting with `AGE-SECRET-KEY-`; comments
 * (`#`) and blank lines are ignored.
 */
export function parseIdentityFile(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t.startsWith("AGE-SECRET-KEY-")) out.push(t);
  }
  return out;
}
