import { normalize } from "../../src/normalize/index.js";
import { ROUTEROS } from "../../src/routeros/index.js";
import { isSensitive } from "../../src/seal/index.js";

/**
 * The plaintext sensitive values of an export, found the way a reviewer would:
 * every catalogued parameter's value, raw and unquoted. Used by leak scans.
 */
export function sensitiveValues(exportText: string): string[] {
  const out = new Set<string>();
  for (const raw of sensitiveTokens(exportText)) {
    out.add(raw);
    if (raw.startsWith('"') && raw.endsWith('"')) out.add(raw.slice(1, -1));
  }
  return [...out];
}

/** The raw value tokens (quotes included) of every catalogued parameter. */
export function sensitiveTokens(exportText: string): string[] {
  const out = new Set<string>();
  let section: string | null = null;
  for (const line of normalize(exportText, ROUTEROS).split("\n")) {
    const s = ROUTEROS.sectionOf(line);
    if (s !== null) section = s;
    for (const t of ROUTEROS.valueTokens(line)) {
      if (!isSensitive(section, t.name, ROUTEROS.sensitiveParams)) continue;
      if (t.raw === "" || t.raw === '""') continue;
      out.add(t.raw);
    }
  }
  return [...out];
}

/** Values long enough that finding one in a scanned text means a leak, not a coincidence. */
export function distinctive(values: string[]): string[] {
  // `public`/`private` are the SNMP default communities: sealed, but also part of names like `public-key`.
  return values.filter((v) => v.length >= 6 && !/^(yes|no|true|false|none|default|public|private)$/.test(v));
}
