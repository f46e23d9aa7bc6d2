/**
 * What the engines (normalize, seal, collect, archive summaries) need to know
 * about a device platform. RouterOS fills it in `src/routeros`; another
 * platform would be one more folder exporting one more `Platform`.
 * Entries are data with a one-line reason wherever possible.
 */
export interface VolatileComment {
  /** Matched against the whole line after line endings are unified. */
  readonly pattern: RegExp;
  /** Which RouterOS version or feature prints it, and why it is noise. */
  readonly reason: string;
}

export interface SensitiveParam {
  /** Whole parameter name as printed, e.g. `password`, `security.passphrase`. */
  readonly name: string;
  /** Menu paths where it is sensitive; absent means every menu. */
  readonly menus?: readonly string[];
  readonly reason: string;
}

/** One `name=value` token of a command line, with offsets into the line. */
export interface ValueToken {
  /** Parameter name with dotted shorthand expanded (`.passphrase` → `security.passphrase`). */
  readonly name: string;
  /** Offset of the first character of the value (just after `=`). */
  readonly start: number;
  /** Offset just past the value token (quotes and escapes included). */
  readonly end: number;
  /** The exact value token as printed, quotes and escapes included. */
  readonly raw: string;
}

export interface Platform {
  readonly name: string;
  /** Prefix of comment lines (`#`). */
  readonly commentPrefix: string;
  /** The dated header line and its date-free replacement; `$1` is the version. */
  readonly header: { readonly pattern: RegExp; readonly replacement: string };
  /** Continuation rule: a line ending in an unescaped `\` and a next line starting with `indent`. */
  readonly wrapIndent: string;
  readonly volatileComments: readonly VolatileComment[];
  readonly sensitiveParams: readonly SensitiveParam[];
  /** Lines that mean the device refused or failed a command: never archived. */
  readonly errorLines: readonly RegExp[];
  /** Longest physical line (characters) a real export has; a longer one is not export text (a runaway or hostile device). */
  readonly maxLineLength: number;
  /** A menu path line (`/ip firewall filter`); returns the path or null. */
  sectionOf(line: string): string | null;
  /** Whether the text holds at least one menu line (export text always does). */
  hasMenuLine(text: string): boolean;
  /** Splits one joined command line into its `name=value` tokens. */
  valueTokens(line: string): ValueToken[];
  /** Commands run over SSH. */
  readonly commands: {
    /** Prints the version alone, e.g. `7.16.2`. */
    readonly version: string;
    /**
     * Optional: the probe and one export form on one exec line; its output is
     * the version's line, then the export. Refused (an error line, no menu
     * line) by versions that need another form: then probe, then export.
     */
    readonly firstContact?: { readonly command: string; readonly exportCommand: string };
    /** The export command for a device of that version. */
    exportFor(version: string): string;
  };
  /** The version the probe printed, validated strictly; null for anything else. */
  parseVersion(probeOutput: string): string | null;
  /** Version named in an export's header, validated strictly, or null. */
  versionFromExport(text: string): string | null;
  /** The raw version token of the export's header line (not validated), or null when there is no header. */
  headerVersionToken(text: string): string | null;
}
