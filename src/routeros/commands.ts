/** What is run over the SSH exec channel. */
export const COMMANDS = {
  /** Prints e.g. `7.16.2 (stable)`; `parseVersion` keeps the version word. */
  version: ":put [/system resource get version]",
  /**
   * First contact in one round trip: the version probe and the v7 export on
   * one line. RouterOS parses a line whole before running any of it, so v6
   * refuses all of it (`expected end of command`) and the two-step sequence
   * follows; v7 prints the version line, then the export.
   */
  firstContact: {
    command: ":put [/system resource get version]; /export show-sensitive",
    exportCommand: "/export show-sensitive",
  },
  /**
   * v7 hides secrets in `/export` unless asked (`show-sensitive`); v6 always
   * shows them and rejects `show-sensitive` with `expected end of command`.
   * An unknown major version gets the v7 form: should it be refused, the output
   * check stops it instead of archiving an export without its secrets.
   */
  /** v7 prints secrets (with show-sensitive) only to a user whose group has the `sensitive` policy. */
  secretsNeedPermission(version: string): boolean {
    const major = Number.parseInt(version.trim(), 10);
    return !(Number.isFinite(major) && major < 7);
  },
  exportFor(version: string): string {
    const major = Number.parseInt(version.trim(), 10);
    return Number.isFinite(major) && major < 7 ? "/export" : "/export show-sensitive";
  },
} as const;
