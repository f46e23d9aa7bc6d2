import type { Decrypter } from "age-encryption";
import { RosarchiveError, type Platform } from "../common/index.js";
import { SEALED_PREFIX, ageFileOf, decrypterFor } from "./age-codec.js";
import { sealRules } from "./seal-rules.js";
import { sealTargets, type SealHere } from "./seal-targets.js";

interface Found {
  readonly start: number; // of `age:`, in the text
  readonly end: number;
  readonly file: Uint8Array;
  readonly name: string;
  readonly line: number;
}

/** base64url alphabet, the only characters of a sealed token's body. */
const B64URL = /^[A-Za-z0-9_-]+$/;

/** The age file of a value that is exactly one sealed token, or null. */
function sealedFile(raw: string): Uint8Array | null {
  if (!raw.startsWith(SEALED_PREFIX)) return null;
  const body = raw.slice(SEALED_PREFIX.length);
  return B64URL.test(body) ? ageFileOf(body) : null;
}

/** The unsealer opens exactly the sealed tokens at the positions the sealer seals. */
const OPEN_HERE: SealHere = (raw) => sealedFile(raw) !== null;

/**
 * Every sealed value of `text`, found where the sealer puts them: the same
 * walk over lines, menus and scripts as `sealValues` (`sealTargets` with the
 * same platform), keeping the positions that hold a sealed token. Lines may
 * end in `\r\n` (a checkout with autocrlf).
 */
function findSealed(text: string, platform: Platform): Found[] {
  const rules = sealRules(platform);
  const found: Found[] = [];
  let menu: string | null = null;
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    lineNo++;
    let line = text.slice(start, end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.charCodeAt(0) === 0x2f /* / */) menu = platform.sectionOf(line) ?? menu;
    if (line.includes(SEALED_PREFIX) && !line.startsWith(platform.commentPrefix)) {
      for (const t of sealTargets(line, menu, rules, OPEN_HERE)) {
        found.push({ start: start + t.start, end: start + t.end, file: sealedFile(line.slice(t.start, t.end))!, name: t.name, line: lineNo });
      }
    }
    start = end + 1;
  }
  return found;
}

async function open(decrypter: Decrypter, f: Found): Promise<string> {
  try {
    return await decrypter.decrypt(f.file, "text");
  } catch (err) {
    const msg = err instanceof Error ? err.message : "";
    if (/no identity matched/i.test(msg)) {
      throw new RosarchiveError("no_identity", `no given identity can decrypt the sealed ${f.name} on line ${f.line} (sealed for other recipients? each tenant's values open only with its own identity)`, {
        line: f.line,
        param: f.name,
      });
    }
    throw new RosarchiveError("error", `the sealed ${f.name} on line ${f.line} cannot be decrypted: corrupt age file`, { line: f.line, param: f.name });
  }
}

/**
 * `rosarchive decrypt`: replaces every sealed value with the exact
 * text it sealed, so `unsealText(sealValues(x).text)` is `x` byte for byte.
 * Exactly one layer is undone, and only where `sealValues` with this
 * platform (catalog, script rules, operator extensions) seals: any other
 * `age:` text (`/system identity set name=age:...` copied from another
 * tenant's archive) is literal text and comes back as the device printed it.
 */
export async function unsealText(text: string, identities: readonly string[], platform: Platform): Promise<string> {
  if (!text.includes(SEALED_PREFIX)) return text;
  const found = findSealed(text, platform);
  if (found.length === 0) return text;
  const decrypter = decrypterFor(identities);
  // Settle all, then report the first failure in text order (not whichever finished first).
  const settled = await Promise.allSettled(found.map((f) => open(decrypter, f)));
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const plain = settled.map((r) => (r as PromiseFulfilledResult<string>).value);
  let out = "";
  let pos = 0;
  found.forEach((f, k) => {
    out += text.slice(pos, f.start) + plain[k];
    pos = f.end;
  });
  return out + text.slice(pos);
}
