import { createHash } from "node:crypto";
import { SEALED_PREFIX, encrypterFor, sealToken, validateRecipients, type Sealer } from "./age-codec.js";
import { plaintextFingerprint } from "./fingerprint.js";
import { secretIndexKey } from "./index-key.js";
import { sealRules } from "./seal-rules.js";
import { sealTargets, type SealHere } from "./seal-targets.js";
import type { SealOptions, SealResult, SecretIndex } from "./types.js";

/** `""` and a bare empty value hold no secret and stay readable. */
const isEmptyValue = (raw: string): boolean => raw === "" || raw === '""';

/**
 * Where the sealer seals: catalogued values, and any value at a sealable
 * position that starts with `age:` (a device printing someone's ciphertext
 * gets it sealed again, so decrypt gives back that text, never its plaintext).
 */
export const SEAL_HERE: SealHere = (raw, secret) => !isEmptyValue(raw) && (secret || raw.startsWith(SEALED_PREFIX));

/**
 * Replaces every sensitive value of the normalized text with
 * `age:<base64url age file>` whose plaintext is the exact original text of
 * that value: the whole token (quotes and escapes included) for a parameter,
 * the inner value as written inside the script (its escapes included) for a
 * secret inside a script-bearing value (see `sealTargets`).
 *
 * Pure in (text, options): the result carries the secret index (keyed hash →
 * ciphertext) and the plaintext fingerprint, so a remote collector can seal
 * and hand both to the core. A value whose keyed hash is in `previous` (or
 * already sealed earlier in this text) keeps that ciphertext, so an unchanged
 * export seals to the same bytes and a changed secret changes only its own
 * line; that path never touches age. `unsealText` undoes exactly one layer.
 */
export async function sealValues(text: string, opts: SealOptions): Promise<SealResult> {
  const { platform, previous, indexKey, context } = opts;
  validateRecipients(opts.recipients);
  const recipients = [...opts.recipients].sort().join(",");
  const rules = sealRules(platform);
  const index: SecretIndex = {};
  let encrypter: Sealer | null = null; // only built when a value is new
  let sealed = 0;
  let fresh = 0;
  // The menu each line stands in, found by jumping from menu line to menu line.
  let current: string | null = null;
  const menuLineAfter = (from: number): number => {
    const k = text.indexOf("\n/", from);
    return k < 0 ? Infinity : k + 1;
  };
  let nextMenu = text.charCodeAt(0) === 0x2f /* / */ ? 0 : menuLineAfter(0);
  const menuAt = (lineStart: number): string | null => {
    while (nextMenu <= lineStart) {
      const end = lineEndAt(text, nextMenu);
      current = platform.sectionOf(text.slice(nextMenu, end)) ?? current;
      nextMenu = menuLineAfter(end);
    }
    return current;
  };

  // Untouched stretches of the text are copied as they are; only lines holding a secret are rebuilt.
  let out = "";
  let copied = 0;
  // Only the `=` signs are visited; a line is looked at when the name before one can start a sealed value.
  let eq = text.indexOf("=");
  const menuOfEq = () => menuAt(text.lastIndexOf("\n", eq) + 1);
  while (eq >= 0) {
    if (!rules.prefilter.candidateAt(text, eq, menuOfEq)) {
      eq = text.indexOf("=", eq + 1);
      continue;
    }
    const lineStart = text.lastIndexOf("\n", eq) + 1;
    const lineEnd = lineEndAt(text, eq);
    eq = text.indexOf("=", lineEnd);
    const line = text.slice(lineStart, lineEnd);
    if (line.startsWith(platform.commentPrefix)) continue;
    const menu = menuAt(lineStart);

    const found = sealTargets(line, menu, rules, SEAL_HERE);
    if (found.length === 0) continue;

    let blankedLine = "";
    let pos = 0;
    for (const t of found) {
      blankedLine += line.slice(pos, t.start);
      pos = t.end;
    }
    blankedLine += line.slice(pos);
    // A script line can be long and hold many secrets: its values are keyed to a digest of it, hashed once.
    // (Lines without script secrets keep the plain blanked line, so their index keys stay as they were.)
    if (found.some((t) => t.inScript)) blankedLine = `#sha256:${createHash("sha256").update(blankedLine).digest("hex")}`;

    let rebuilt = "";
    pos = 0;
    for (const t of found) {
      const plaintext = line.slice(t.start, t.end);
      const key = secretIndexKey(indexKey, { context, recipients, menu, name: t.name, blankedLine, plaintext });
      const kept = previous[key];
      let token: string | undefined = typeof kept === "string" && kept.startsWith(SEALED_PREFIX) ? kept : undefined;
      if (token === undefined) {
        fresh++;
        token = index[key];
        if (token === undefined) {
          encrypter ??= encrypterFor(opts.recipients);
          token = await sealToken(encrypter, plaintext);
        }
      }
      index[key] = token;
      rebuilt += line.slice(pos, t.start) + token;
      pos = t.end;
      sealed++;
    }
    out += text.slice(copied, lineStart) + rebuilt + line.slice(pos);
    copied = lineEnd;
  }
  return {
    text: copied === 0 ? text : out + text.slice(copied),
    index,
    sealed,
    fresh,
    fingerprint: plaintextFingerprint(indexKey, context, text),
  };
}

function lineEndAt(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}
