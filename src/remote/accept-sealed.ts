import { RosarchiveError } from "../common/index.js";

const AGE_MAGIC = "age-encryption.org/";
/** `=age:<base64url>` at a value position; the body is checked to be an age file. */
const SEALED_VALUE = /=(age:[A-Za-z0-9_-]+)/g;

/** The sealed tokens of a text: values that are `age:` + base64url of an age file. */
export function sealedTokensIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(SEALED_VALUE)) {
    const token = m[1]!;
    // 28 base64url characters decode to 21 bytes: enough for the magic line's start.
    const head = Buffer.from(token.slice(4, 4 + 28), "base64url").toString("latin1");
    if (head.startsWith(AGE_MAGIC)) out.add(token);
  }
  return out;
}

/**
 * The core's side of stable ciphertext without plaintext: a collector sealed
 * `text` and sent `index` (keyed tag → ciphertext). For every tag the core
 * already knows, its stored ciphertext replaces the collector's (so an
 * unchanged secret keeps its bytes even if the collector sealed it anew).
 * Every sealed token in the text must be one of the index's ciphertexts, so
 * the stored index always covers the archived file. Pure.
 */
export function acceptSealed(text: string, index: Readonly<Record<string, string>>, previous: Readonly<Record<string, string>>): { text: string; index: Record<string, string> } {
  let out = text;
  const next: Record<string, string> = {};
  for (const [tag, token] of Object.entries(index)) {
    const known = previous[tag];
    if (known !== undefined && known !== token) {
      out = out.split(token).join(known);
      next[tag] = known;
    } else {
      next[tag] = token;
    }
  }
  const covered = new Set(Object.values(next));
  for (const token of sealedTokensIn(out)) {
    if (!covered.has(token)) {
      throw new RosarchiveError("invalid_output", "the snapshot holds a sealed value that is not in its secret index; nothing archived");
    }
  }
  return { text: out, index: next };
}
