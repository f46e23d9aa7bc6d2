import type { KeyedSecret, SecretShape, ShapedParam } from "../common/index.js";

/**
 * Words that make a name a secret's name, matched case-insensitively as a
 * part of the name: `DB_PASSWORD`, `apiToken`, `X_API_KEY`, `smtpPwd`, `pw`.
 * Used for `/container envs` keys and for script variables (`:local pw "x"`,
 * `:global botPassword "x"`). A name sealed needlessly (`KEYBOARD_LAYOUT`)
 * costs readability; a missed one leaks.
 * Operators add words with `sensitive.secret_words`.
 */
export const SECRET_WORDS: readonly string[] = ["PASS", "PW", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "AUTH", "PSK", "PRIVATE"];

/**
 * Env-like menus: a value is a secret when its key holds a secret word. RouterOS
 * v7 `/export` prints `/container envs add key=DB_PASSWORD name=db value=...`
 * (`list=` instead of `name=` from 7.20); `show-sensitive` is not needed to
 * see the values, so nothing else hides them (7.13 and 7.24 command trees).
 */
export const KEYED_SECRETS: readonly KeyedSecret[] = [
  {
    menus: ["/container envs"],
    keyParam: "key",
    valueParam: "value",
    reason: "/container envs (v7 container package): environment values such as DB_PASSWORD or API_TOKEN handed to containers",
  },
];

/**
 * Parameters of script commands whose values hold a secret only sometimes:
 * sealed when the value has a secret's shape (below) or a secret word
 * followed by `=` or `:` (`?token=`, `"password":`, `Authorization:`).
 */
export const SHAPED_PARAMS: readonly ShapedParam[] = [
  { name: "url", reason: "/tool fetch url=: credentials in the URL (`https://user:pw@host`) or a token in its query (`?api_key=`)" },
  { name: "http-header-field", reason: "/tool fetch http-header-field=: `Authorization: Bearer ...`, `X-Api-Key: ...`" },
  { name: "http-data", reason: "/tool fetch http-data=: a form or JSON body carrying `password=` or `\"token\":`" },
  { name: "src-path", reason: "/tool fetch src-path= may hold an URL with credentials when uploading" },
];

/**
 * Shapes that are secrets wherever a script literal (a variable's value, a
 * shaped parameter) holds them. Quantifiers are bounded: a hostile value of
 * 64 KiB is tested in linear time.
 */
export const SECRET_SHAPES: readonly SecretShape[] = [
  { pattern: /[a-z][a-z0-9+.-]{0,15}:\/\/[^\s/@"]{1,256}:[^\s/@"]{1,256}@/i, reason: "credentials in a URL (user:password@host)" },
  { pattern: /(?:^|[^0-9])[0-9]{6,12}:[A-Za-z0-9_-]{30,64}/, reason: "a Telegram bot token (123456789:AA...), the usual secret of notification scripts" },
  { pattern: /\b(?:bearer|basic)\s{1,8}[A-Za-z0-9._~+/=-]{8,}/i, reason: "an HTTP Authorization credential (Bearer or Basic)" },
];
