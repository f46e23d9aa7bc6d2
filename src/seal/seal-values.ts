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
  // The menu path is resolved only for lines that hold a candidate: most menus hold none.
  let menuLine: string | null = null;
  let menuOf: string | null = null; // menuLine's resolved path, once asked for
  let menu: string | null = null;

  const lines = text.split("\n");
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    if (line.length === 0 || line.startsWith(platform.commentPrefix)) continue;
    if (line.charCodeAt(0) === 0x2f /* / */ && line !== menuLine) {
      menuLine = line;
      menuOf = null;
    }
    if (!sensitive.mayHold(line)) continue;
    if (menuLine !== null && menuOf === null) {
      menu = platform.sectionOf(menuLine) ?? menu;
      menuOf = menuLine;
    }

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

    let out = "";
    pos = 0;
    for (const t of found) {
      const key = secretIndexKey(indexKey, { context, recipients, menu, name: t.name, blankedLine, plaintext: t.raw });
      let token: string | undefined = index[key] ?? previous[key];
      if (typeof token !== "string" || !token.startsWith(SEALED_PREFIX)) {
        encrypter ??= encrypterFor(opts.recipients);
        token = await sealToken(encrypter, t.raw);
      }
      index[key] = token;
      out += line.slice(pos, t.start) + token;
      pos = t.end;
      sealed++;
    }
    lines[li] = out + line.slice(pos);
  }
  return { text: lines.join("\n"), index, sealed };
}
