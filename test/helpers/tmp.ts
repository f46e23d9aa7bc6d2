import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh temp directory removed after the current suite (unless ROSARCHIVE_KEEP_TMP is set). */
export function tempDir(prefix = "rosarchive-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (!process.env.ROSARCHIVE_KEEP_TMP) after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../..");
export const FIXTURES = path.join(REPO_ROOT, "test/fixtures/routeros");

/** Every regular file under `dir`, recursively (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
