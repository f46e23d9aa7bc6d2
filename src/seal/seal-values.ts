import type { Encrypter } from "age-encryption";
import type { ValueToken } from "../common/index.js";
import { SEALED_PREFIX, encrypterFor, sealToken, validateRecipients } from "./age-codec.js";
import { secretIndexKey } from "./index-key.js";
import { sensitiveMatcher } from "./is-sensitive.js";
import type { SealOptions, SealResult, SecretIndex } from "./types.js";

/** `""` and a bare empty value hold no secret and stay readable (SPEC §6). */
const isEmptyValue = (raw: string): boolean => raw === "" || raw === '""';

/**
 * SPEC §6: replaces every sensitive value token of the normalized text with
 * `age:<base64url age file>` whose plaintext is the exact original token.
 *
 * A value whose keyed hash is in `previous` (or already sealed earlier in
 * this text) keeps that ciphertext, so an unchanged export seals to the same
 * bytes and a changed secret changes only its own line; that path never
 * touches age. A value that already starts with `age:` is sealed like any
 * other: a device never prints our ciphertext, and `unsealText` undoes
 * exactly one layer.
 */
export async function sealValues(text: string, opts: SealOptions): Promise<SealResult> {
  const { platform, previous, indexKey, context } = opts;
  validateRecipients(opts.recipients);
  const recipients = [...opts.recipients].sort().join(",");
  const sensitive = sensitiveMatcher(platform.sensitiveParams);
  const index: SecretIndex = {};
  let encrypter: Encrypter | null = null; // only built when a value is new
  let sealed = 0;
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
  // Only the `=` signs are visited; a line is looked at when the name before one is in the catalog.
  let eq = text.indexOf("=");
  const menuOfEq = () => menuAt(text.lastIndexOf("\n", eq) + 1);
  while (eq >= 0) {
    if (!sensitive.candidateAt(text, eq, menuOfEq)) {
      eq = text.indexOf("=", eq + 1);
      continue;
    }
    const lineStart = text.lastIndexOf("\n", eq) + 1;
    const lineEnd = lineEndAt(text, eq);
    eq = text.indexOf("=", lineEnd);
    const line = text.slice(lineStart, lineEnd);
    if (line.startsWith(platform.commentPrefix)) continue;
    const menu = menuAt(lineStart);

    let found: ValueToken[] | null = null;
    for (const t of platform.valueTokens(line)) {
      if (!isEmptyValue(t.raw) && sensitive.test(menu, t.name)) (found ??= []).push(t);
    }
    if (!found) continue;

    let blankedLine = "";
    let pos = 0;
    for (const t of found) {
      blankedLine += line.slice(pos, t.start);
      pos = t.end;
    }
    blankedLine += line.slice(pos);

    let rebuilt = "";
    pos = 0;
    for (const t of found) {
      const key = secretIndexKey(indexKey, { context, recipients, menu, name: t.name, blankedLine, plaintext: t.raw });
      let token: string | undefined = index[key] ?? previous[key];
      if (typeof token !== "string" || !token.startsWith(SEALED_PREFIX)) {
        encrypter ??= encrypterFor(opts.recipients);
        token = await sealToken(encrypter, t.raw);
      }
      index[key] = token;
      rebuilt += line.slice(pos, t.start) + token;
      pos = t.end;
      sealed++;
    }
    out += text.slice(copied, lineStart) + rebuilt + line.slice(pos);
    copied = lineEnd;
  }
  return { text: copied === 0 ? text : out + text.slice(copied), index, sealed };
}

function lineEndAt(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}
