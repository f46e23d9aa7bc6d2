import { execFileSync } from "node:child_process";

/** Runs stock git with the user's config ignored, as an operator's own git would read the repo. */
export function git(gitDir: string, args: string[], input?: string | Buffer): string {
  return execFileSync("git", ["--git-dir", gitDir, ...args], {
    encoding: "utf8",
    input,
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" },
  });
}

export function fsckStrict(gitDir: string): void {
  execFileSync("git", ["--git-dir", gitDir, "fsck", "--strict", "--no-progress"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" } });
}

/** Every object of the repository, decompressed, as one buffer (for leak scans). */
export function allObjects(gitDir: string): Buffer {
  return execFileSync("git", ["--git-dir", gitDir, "cat-file", "--batch-all-objects", "--batch"], { maxBuffer: 1024 * 1024 * 1024 });
}

export function commitCount(gitDir: string, ...paths: string[]): number {
  return Number(git(gitDir, ["rev-list", "--count", "main", "--", ...paths]).trim());
}
