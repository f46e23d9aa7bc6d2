import { runGit } from "./git.js";

/**
 * Settings of REPOSITORY_SETTINGS added after repositories were already
 * created with the earlier list: set when such a repository is opened, so
 * existing repositories get them too (one `git config --get` each when
 * nothing is missing).
 */
const LATER_SETTINGS: ReadonlyArray<readonly [string, string]> = [["uploadpackfilter.sparse:oid.allow", "false"]];

export async function ensureLaterSettings(gitDir: string): Promise<void> {
  for (const [k, v] of LATER_SETTINGS) {
    const r = await runGit({ gitDir, args: ["config", "--get", k], okCodes: [1] });
    if (r.stdout.toString("utf8").trim() !== v) await runGit({ gitDir, args: ["config", k, v] });
  }
}
