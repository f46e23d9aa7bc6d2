import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES } from "../helpers/tmp.js";

export interface RouterosFixture {
  /** File name without `.rsc`, e.g. `v7.17.2-chr-verbose-sensitive`. */
  readonly name: string;
  readonly file: string;
  /** Exact text as the router printed it (line endings included). */
  readonly text: string;
  /** The version the file name states (`v6.43.8-...` → `6.43.8`), or null (`v7-noheader-...`). */
  readonly version: string | null;
}

/** Every export in test/fixtures/routeros: a new `<name>.rsc` adds itself to every fixture test. */
export function routerosFixtures(): RouterosFixture[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".rsc") && !f.endsWith(".normalized.rsc"))
    .sort()
    .map((f) => {
      const name = f.slice(0, -".rsc".length);
      const file = path.join(FIXTURES, f);
      const version = /^v(\d+(?:\.\d+)+)-/.exec(name)?.[1] ?? null;
      return { name, file, text: readFileSync(file, "utf8"), version };
    });
}

/** Where the reviewed normalized output of a fixture lives. */
export function goldenPath(fixture: RouterosFixture): string {
  return path.join(FIXTURES, `${fixture.name}.normalized.rsc`);
}

function oddTrailingBackslash(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

/**
 * Re-wraps an export the way RouterOS does for another terminal width: undo the
 * existing wraps, then cut every command line longer than `width` into pieces
 * that end in `\`, each continuation indented by four spaces. A cut never falls
 * right after a `\` of the value, as RouterOS never splits an escape.
 * Written independently of src/normalize so the test checks one against the other.
 */
export function rewrap(text: string, width: number): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const logical: string[] = [];
  for (const line of lines) {
    const prev = logical.length - 1;
    if (prev >= 0 && line.startsWith("    ") && !logical[prev]!.startsWith("#") && oddTrailingBackslash(logical[prev]!)) {
      logical[prev] = logical[prev]!.slice(0, -1) + line.slice(4);
    } else {
      logical.push(line);
    }
  }
  const out: string[] = [];
  for (const line of logical) {
    if (line.startsWith("#") || line.startsWith("/") || line.length <= width) {
      out.push(line);
      continue;
    }
    let rest = line;
    let first = true;
    while (rest.length > 0) {
      const room = Math.max(1, width - 1 - (first ? 0 : 4));
      let cut = Math.min(room, rest.length);
      if (cut < rest.length) {
        while (cut > 1 && rest[cut - 1] === "\\") cut--;
        if (rest[cut - 1] === "\\") cut = room + 1; // a run of backslashes longer than the room: cut after it
        while (cut < rest.length && rest[cut - 1] === "\\") cut++;
      }
      const piece = rest.slice(0, cut);
      rest = rest.slice(cut);
      out.push((first ? "" : "    ") + piece + (rest.length > 0 ? "\\" : ""));
      first = false;
    }
  }
  return out.join("\n");
}
