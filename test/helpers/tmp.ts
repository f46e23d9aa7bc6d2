import { mkdtempSync, rmSync } from "node:fs";
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
