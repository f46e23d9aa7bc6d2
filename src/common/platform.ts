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

/**
 * A parameter whose value is a script (RouterOS script language): the
 * catalogued `name=value` pairs inside it are sealed in place, not the whole
 * value (unless the platform is told to seal whole scripts).
 */
export interface ScriptParam {
  readonly name: string;
  /** Menu paths where the value is a script; absent means every menu. */
  readonly menus?: readonly string[];
  readonly reason: string;
}

/**
 * An env-like menu: the value parameter is a secret when the key parameter of
 * the same command names one (holds a secret word), e.g. `/container envs`
 * `key=DB_PASSWORD value=...`. A command without the key is sealed too.
 */
export interface KeyedSecret {
  readonly menus: readonly string[];
  readonly keyParam: string;
  readonly valueParam: string;
  readonly reason: string;
}

/**
 * Inside scripts: a parameter whose value is sealed only when it looks like a
 * secret (credentials in a URL, an `Authorization:` header, a token shape),
 * e.g. `/tool fetch url=... http-header-field=...`.
 */
export interface ShapedParam {
  readonly name: string;
  readonly reason: string;
}

/** A value shape that is a secret wherever it appears in a script literal. */
export interface SecretShape {
  /** Tested against a decoded literal; must run in linear time (bounded quantifiers only). */
  readonly pattern: RegExp;
  readonly reason: string;
}

/** A value token decoded from its printed form (quotes and escapes). */
export interface DecodedValue {
  readonly text: string;
  /** `at[i]`: where decoded character i starts in the printed token; `at[text.length]`: where the content ends. */
  readonly at: readonly number[];
}

/** One word of a script that may hold a secret: a `name=value` parameter or a variable's value. */
export interface ScriptToken {
  /** `param`: `name=value`; `variable`: the value given to `:local`, `:global` or `:set NAME`. */
  readonly kind: "param" | "variable";
  /** Parameter or variable name, as written (quotes removed). */
  readonly name: string;
  /** Offset of the value in the script, and just past it. */
  readonly start: number;
  end: number;
}

/** One command of a script, in the order its first word appears (an outer command before the commands nested in its values). */
export interface ScriptCommand {
  /** Menu path the command acts in (`/ppp secret`), null for scripting commands (`:local`...). */
  readonly menu: string | null;
  readonly tokens: ScriptToken[];
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
  /** Parameters whose values are scripts (sealed in place inside). */
  readonly scriptParams: readonly ScriptParam[];
  /** Env-like menus whose values are secrets when their key names one. */
  readonly keyedSecrets: readonly KeyedSecret[];
  /** Upper-case words: a key or script variable whose name contains one holds a secret (`DB_PASSWORD`, `apiToken`). */
  readonly secretWords: readonly string[];
  /** Script parameters sealed when their value looks like a secret. */
  readonly shapedParams: readonly ShapedParam[];
  /** Value shapes that are secrets in any script literal. */
  readonly secretShapes: readonly SecretShape[];
  /** Seal every script-bearing value whole instead of inside (an operator's choice; off by default). */
  readonly sealWholeScripts: boolean;
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
  /** Decodes a printed value token (a quoted string with escapes, or a bare word). */
  decodeValue(raw: string): DecodedValue;
  /** The commands of a script and the tokens that may hold secrets, nested commands included. */
  scriptCommands(script: string): ScriptCommand[];
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
    /**
     * Whether a device of this version prints secrets only to users allowed
     * to see them: an export without any where earlier ones had some then
     * means the backup user lost that permission.
     */
    secretsNeedPermission(version: string): boolean;
  };
  /** The version the probe printed, validated strictly; null for anything else. */
  parseVersion(probeOutput: string): string | null;
  /** Version named in an export's header, validated strictly, or null. */
  versionFromExport(text: string): string | null;
  /** The raw version token of the export's header line (not validated), or null when there is no header. */
  headerVersionToken(text: string): string | null;
}

/**
 * What an operator adds to a platform's sealing knowledge in the config
 * (`sensitive:`), without a release. Extensions only add: nothing the
 * platform seals can be turned off.
 */
export interface PlatformExtensions {
  /** More parameters to seal, everywhere or only in the listed menus. */
  readonly params: readonly SensitiveParam[];
  /** More parameters whose values are scripts. */
  readonly scriptParams: readonly ScriptParam[];
  /** More secret words for env keys and script variables. */
  readonly secretWords: readonly string[];
  /** Seal script-bearing values whole. */
  readonly sealWholeScripts: boolean;
}
