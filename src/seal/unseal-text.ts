import type { Decrypter } from "age-encryption";
import { RosarchiveError } from "../common/index.js";
import { SEALED_PREFIX, ageFileOf, decrypterFor } from "./age-codec.js";

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;
/** base64url alphabet, the only characters of a sealed token's body. */
const isB64url = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;

interface Found {
  readonly start: number; // of `age:`
  readonly end: number;
  readonly file: Uint8Array;
  readonly name: string;
  readonly line: number;
}

/**
 * Every sealed value in `text`, found without knowing the platform: a value
 * (after the first `=` of a blank-separated word, outside double quotes)
 * that is `age:` + base64url up to a blank, `]` or the line end (`\r\n` too:
 * a checkout with autocrlf), and decodes to an age file. `comment="x =age:..."`
 * (inside quotes) and `a=b=age:...` (not the word's first `=`) are left alone.
 */
function findSealed(text: string): Found[] {
  const found: Found[] = [];
  const n = text.length;
  let line = 1;
  let wordStart = 0;
  let wordHasEq = false;
  let inQuote = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
      inQuote = false;
      wordHasEq = false;
      wordStart = i + 1;
      continue;
    }
    if (inQuote) {
      if (c === 0x5c) i++; // backslash escape
      else if (c === 0x22) inQuote = false;
      continue;
    }
    if (c === 0x22) {
      inQuote = true;
    } else if (isBlank(c)) {
      wordHasEq = false;
      wordStart = i + 1;
    } else if (c === 0x3d && !wordHasEq) {
      wordHasEq = true;
      if (!text.startsWith(SEALED_PREFIX, i + 1)) continue;
      const start = i + 1;
      let end = start + SEALED_PREFIX.length;
      while (end < n && isB64url(text.charCodeAt(end))) end++;
      const next = end < n ? text.charCodeAt(end) : 0x0a;
      if (end === start + SEALED_PREFIX.length || !(isBlank(next) || next === 0x0a || next === 0x0d || next === 0x5d)) continue;
      const file = ageFileOf(text.slice(start + SEALED_PREFIX.length, end));
      if (!file) continue;
      found.push({ start, end, file, name: text.slice(wordStart, i), line });
      i = end - 1;
    }
  }
  return found;
}

async function open(decrypter: Decrypter, f: Found): Promise<string> {
  try {
    return await decrypter.decrypt(f.file, "text");
  } catch (err) {
    const msg = err instanceof Error ? err.message : "";
    if (/no identity matched/i.test(msg)) {
      throw new RosarchiveError("no_identity", `no given identity can decrypt the sealed ${f.name} on line ${f.line} (sealed for other recipients?)`, {
        line: f.line,
        param: f.name,
      });
    }
    throw new RosarchiveError("error", `the sealed ${f.name} on line ${f.line} cannot be decrypted: corrupt age file`, { line: f.line, param: f.name });
  }
}

/**
 * SPEC §6 / `rosarchive decrypt`: replaces every `=age:...` value with the
 * exact token it sealed, so `unsealText(sealValues(x).text)` is `x` byte for
 * byte. Exactly one layer is undone.
 */
export async function unsealText(text: string, identities: readonly string[]): Promise<string> {
  const found = findSealed(text);
  if (found.length === 0) return text;
  const decrypter = decrypterFor(identities);
  // Settle all, then report the first failure in text order (not whichever finished first).
  const settled = await Promise.allSettled(found.map((f) => open(decrypter, f)));
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const plain = settled.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof open>>>).value);
  let out = "";
  let pos = 0;
  found.forEach((f, k) => {
    out += text.slice(pos, f.start) + plain[k];
    pos = f.end;
  });
  return out + text.slice(pos);
}
