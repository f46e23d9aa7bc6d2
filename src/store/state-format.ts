import { promises as fs } from "node:fs";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";
import { readJsonFile, writeFileAtomic } from "./atomic-file.js";
import { isFirstFormatIndex, parseSecretIndexState, serializeSecretIndexState } from "./secret-index-store.js";

/**
 * The layout version of `state_dir`, kept in `state_dir/FORMAT` (one number
 * and a newline). 1 is the layout before the file existed (release 0.1.0:
 * secret index files held the bare index); 2 adds FORMAT and writes every
 * secret index file in its versioned form. A release migrates any older
 * layout when it starts and refuses a newer one.
 */
export const STATE_FORMAT = 2;
export const FORMAT_FILE = "FORMAT";

export interface StateFormatOutcome {
  /** The format found (1 for a state_dir without FORMAT, null for a new or empty one). */
  readonly found: number | null;
  /** Files rewritten by the migration. */
  readonly migrated: number;
}

/** The format recorded in `stateDir`: a number, 1 when it has content but no FORMAT, null when it is new. */
export async function readStateFormat(stateDir: string): Promise<number | null> {
  let text: string;
  try {
    text = await fs.readFile(path.join(stateDir, FORMAT_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    const entries = await fs.readdir(stateDir).catch(() => [] as string[]);
    return entries.length === 0 ? null : 1;
  }
  return parseStateFormat(text, path.join(stateDir, FORMAT_FILE));
}

/** `2\n` → 2; anything else is an error naming the file. */
export function parseStateFormat(text: string, where: string): number {
  const m = /^\s*(\d{1,6})\s*$/.exec(text);
  if (!m || Number(m[1]) < 1) throw new RosarchiveError("state_format", `${where} does not hold a state format number; restore it from a state backup, or write ${STATE_FORMAT} into it if this state was made by this release`);
  return Number(m[1]);
}

/** The refusal for state written by a newer release: nothing is read or changed. */
export function tooNew(found: number, where: string): RosarchiveError {
  return new RosarchiveError(
    "state_format",
    `${where} was written by a newer rosarchive (state format ${found}; this release reads formats 1 to ${STATE_FORMAT}): upgrade rosarchive, or restore a state backup made by this release into an empty state_dir`,
    { found, supported: STATE_FORMAT },
  );
}

/**
 * Refuses state written by a newer release (read-only commands: status,
 * audit verify). Older layouts are readable as they are.
 */
export async function checkStateFormat(stateDir: string): Promise<number | null> {
  const found = await readStateFormat(stateDir);
  if (found !== null && found > STATE_FORMAT) throw tooNew(found, stateDir);
  return found;
}

/**
 * Before a command writes state: refuses a newer layout, migrates an older
 * one, and records the current format. Each migration step rewrites whole
 * files atomically and can run again after a crash; FORMAT is written last.
 */
export async function prepareStateDir(stateDir: string): Promise<StateFormatOutcome> {
  const found = await checkStateFormat(stateDir);
  if (found === STATE_FORMAT) return { found, migrated: 0 };
  let migrated = 0;
  if (found !== null && found < 2) migrated += await secretIndexToVersioned(stateDir);
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(stateDir, FORMAT_FILE), `${STATE_FORMAT}\n`, 0o600);
  return { found, migrated };
}

/** 1 → 2: secret index files holding the bare index are rewritten in the versioned form (same index, no fingerprint yet). */
async function secretIndexToVersioned(stateDir: string): Promise<number> {
  const root = path.join(stateDir, "secrets");
  let count = 0;
  for (const tenant of await fs.readdir(root).catch(() => [] as string[])) {
    const dir = path.join(root, tenant);
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (!name.endsWith(".json") || name.startsWith(".")) continue;
      const file = path.join(dir, name);
      let data: unknown;
      try {
        data = await readJsonFile<unknown>(file);
      } catch {
        continue; // unreadable: read as no state later, and sealed anew once, as before
      }
      if (!isFirstFormatIndex(data)) continue;
      await writeFileAtomic(file, serializeSecretIndexState(parseSecretIndexState(data)), 0o600);
      count++;
    }
  }
  return count;
}
