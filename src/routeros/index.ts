import type { Platform } from "../common/index.js";
import { COMMANDS } from "./commands.js";
import { headerVersionToken, parseVersion, versionFromExport } from "./version.js";
import { ERROR_LINES } from "./error-lines.js";
import { HEADER } from "./header.js";
import { decodeValue } from "./decode-value.js";
import { scriptCommands } from "./script-commands.js";
import { SCRIPT_PARAMS } from "./script-params.js";
import { KEYED_SECRETS, SECRET_SHAPES, SECRET_WORDS, SHAPED_PARAMS } from "./secret-names.js";
import { hasMenuLine, sectionOf } from "./sections.js";
import { SENSITIVE_PARAMS } from "./sensitive.js";
import { valueTokens } from "./tokens.js";
import { VOLATILE_COMMENTS } from "./volatile.js";
import { WRAP_INDENT } from "./wrap.js";

export { COMMANDS } from "./commands.js";
export { headerVersionToken, isValidVersion, parseVersion, versionFromExport, VERSION_PATTERN } from "./version.js";
export { ERROR_LINES } from "./error-lines.js";
export { EXPORT_HEADER_COMMENTS } from "./export-header.js";
export { HEADER } from "./header.js";
export { hasMenuLine, sectionOf } from "./sections.js";
export { decodeValue } from "./decode-value.js";
export { scriptCommands } from "./script-commands.js";
export { SCRIPT_PARAMS } from "./script-params.js";
export { KEYED_SECRETS, SECRET_SHAPES, SECRET_WORDS, SHAPED_PARAMS } from "./secret-names.js";
export { SENSITIVE_PARAMS } from "./sensitive.js";
export { valueTokens } from "./tokens.js";
export { VOLATILE_COMMENTS } from "./volatile.js";
export { WRAP_INDENT } from "./wrap.js";

/** MikroTik RouterOS v6 and v7, as the engines need to know it. */
export const ROUTEROS: Platform = Object.freeze({
  name: "routeros",
  commentPrefix: "#",
  header: HEADER,
  wrapIndent: WRAP_INDENT,
  volatileComments: VOLATILE_COMMENTS,
  sensitiveParams: SENSITIVE_PARAMS,
  scriptParams: SCRIPT_PARAMS,
  keyedSecrets: KEYED_SECRETS,
  secretWords: SECRET_WORDS,
  shapedParams: SHAPED_PARAMS,
  secretShapes: SECRET_SHAPES,
  sealWholeScripts: false,
  errorLines: ERROR_LINES,
  // RouterOS wraps export lines at 80 columns (the longest line in our fixtures
  // is 308 characters, hand-edited); 64 Ki leaves room for any unwrapped import.
  maxLineLength: 64 * 1024,
  sectionOf,
  hasMenuLine,
  valueTokens,
  decodeValue,
  scriptCommands,
  commands: COMMANDS,
  parseVersion,
  versionFromExport,
  headerVersionToken,
});
