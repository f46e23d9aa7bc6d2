/**
 * Output check: lines RouterOS prints instead of (or in the middle
 * of) an export when a command fails, e.g. `expected end of command (line 1
 * column 9)` when v6 is sent `show-sensitive`. Matched per line, anchored at
 * the line start so a config value such as `comment="syntax error"` is not
 * mistaken for one. No `g` flag: these are shared and `test` must be stateless.
 */
export const ERROR_LINES: readonly RegExp[] = [
  /^\s*bad command name\b/, // unknown command or menu, e.g. `/export` misspelled or a missing package
  /^\s*expected end of command\b/, // an argument the version does not know (v6 + `show-sensitive`)
  /^\s*syntax error\b/, // the command line did not parse
  /^\s*failure:/, // the command ran and failed, e.g. `failure: not enough permissions`
];
