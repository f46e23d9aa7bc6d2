import type { ScriptCommand, ScriptToken } from "../common/index.js";

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SEMICOLON = 0x3b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
const HASH = 0x23;
const DOLLAR = 0x24;

/** Group openers and the closer each waits for: `{ block }`, `[ command ]`, `( expression )`. */
const CLOSER: Readonly<Record<number, number>> = { 0x7b: 0x7d, 0x5b: 0x5d, 0x28: 0x29 };
const isOpener = (c: number): boolean => c === 0x7b || c === 0x5b || c === 0x28;
const isCloser = (c: number): boolean => c === 0x7d || c === 0x5d || c === 0x29;
const isBlank = (c: number): boolean => c === SPACE || c === TAB;
/** Ends a command: a line break or `;`. */
const isCommandEnd = (c: number): boolean => c === LF || c === CR || c === SEMICOLON;
/** Ends a bare value: a blank, the end of the command, or the end of the group it stands in. */
const endsValue = (c: number): boolean => isBlank(c) || isCommandEnd(c) || isCloser(c);

/** Verbs that end a menu path (`/ppp secret add ...`). */
const VERBS = new Set(["add", "set", "remove", "unset", "enable", "disable", "move", "edit", "print", "export", "get", "find", "comment", "reset", "run"]);
const PATH_WORD = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const PARAM_NAME = /^[A-Za-z0-9.][A-Za-z0-9._-]*$/;
/** Scripting commands whose second word names a variable and whose third word is its value. */
const ASSIGNING = new Set([":local", ":global", ":set"]);

interface Command extends ScriptCommand {
  menu: string | null;
}

interface CommandState {
  readonly command: Command;
  /** Menu words read so far, or null when the command is not in a menu (`:put`, `$fn`). */
  path: string[] | null;
  /** Still reading menu words. */
  pathOpen: boolean;
  /** Only menu words so far: such a command changes the current menu (`/ip address` on its own line). */
  onlyPath: boolean;
  words: number;
  /** `:local` / `:global` / `:set`: 1 while the name is expected, 2 while the value is, 0 otherwise. */
  assign: 0 | 1 | 2;
  variable: string | null;
}

interface Frame {
  readonly closer: number; // 0 for the script itself
  /** The menu relative commands stand in (`/` at the top). */
  menu: string;
  /** The token whose value this group is (`do={...}`, `password=[...]`), if any. */
  readonly owner: ScriptToken | null;
  cmd: CommandState | null;
}

/** Index just past a double-quoted string opened at `i` (escapes skipped; unterminated: the end). */
function skipQuoted(s: string, i: number): number {
  const n = s.length;
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return n;
}

/** Index just past the group opened at `i`, quotes respected, without reading what is inside. */
function skipGroup(s: string, i: number): number {
  const n = s.length;
  const closers: number[] = [CLOSER[s.charCodeAt(i)]!];
  for (i++; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) i = skipQuoted(s, i) - 1;
    else if (c === BACKSLASH) i++;
    else if (isOpener(c)) closers.push(CLOSER[c]!);
    else if (c === closers[closers.length - 1]) {
      closers.pop();
      if (closers.length === 0) return i + 1;
    }
  }
  return n;
}

/**
 * Index just past a value that starts (or continues) at `i`: quoted strings
 * and groups inside it are taken whole, so `"x"y` or `a$[b c]` is one value,
 * ending at a blank, the end of the command or a closing bracket.
 */
function valueEnd(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (endsValue(c)) break;
    if (c === QUOTE) i = skipQuoted(s, i);
    else if (isOpener(c)) i = skipGroup(s, i);
    else if (c === BACKSLASH) i += 2;
    else i++;
  }
  return Math.min(i, n);
}

const pathOf = (menu: string): string[] => (menu === "/" ? [] : menu.slice(1).split(" "));
const menuOf = (path: readonly string[]): string => `/${path.join(" ")}`;

/**
 * The commands of a RouterOS script and, in each, the tokens that may hold a
 * secret: every `name=value` parameter and the value given to a variable
 * (`:local pw "x"`, `:global`, `:set`). One left-to-right scan with an
 * explicit stack (no recursion: a hostile script may nest thousands deep).
 *
 * - Commands end at a line break or `;`; `{ }` blocks, `[ ]` substitutions
 *   and `( )` expressions hold commands of their own, listed after the
 *   command they stand in. A group that is a parameter's value (`do={...}`,
 *   `password=[...]`) is that token's value, so sealing the token hides it all.
 * - A command's menu comes from its leading words, absolute (`/ppp secret`,
 *   `/ppp/secret`) or relative to the menu a path-only line switched to
 *   (`/ip address` alone, then `add ...`); inside `[ find ... ]` it is the
 *   command's own menu. Scripting commands (`:put`) have none.
 * - Values keep their quotes; a quoted string immediately followed by more
 *   characters is one value with them, as RouterOS reads it.
 * - `#` starts a comment at the start of a command; `\` before a line break
 *   joins the lines.
 */
export function scriptCommands(script: string): ScriptCommand[] {
  const scan: Scan = { script, out: [], stack: [{ closer: 0, menu: "/", owner: null, cmd: null }] };
  const n = script.length;
  let i = 0;
  while (i < n) i = step(scan, i);
  // Unclosed groups end with the script: their owners' values run to the end.
  for (let d = scan.stack.length - 1; d > 0; d--) if (scan.stack[d]!.owner) scan.stack[d]!.owner!.end = n;
  return scan.out.filter((cmd) => cmd.tokens.length > 0);
}

/** One scan of a script: the commands found so far and the open groups, innermost last. */
interface Scan {
  readonly script: string;
  readonly out: Command[];
  readonly stack: Frame[];
}

/**
 * Reads what starts at `i` in the innermost open group (a blank, a line
 * continuation, a command's end, a group's end, a comment, or one word of a
 * command) and returns where the next read starts.
 */
function step(scan: Scan, i: number): number {
  const { script, stack } = scan;
  const f = stack[stack.length - 1]!;
  const c = script.charCodeAt(i);
  if (isBlank(c)) return i + 1;
  if (c === BACKSLASH && (script.charCodeAt(i + 1) === LF || script.charCodeAt(i + 1) === CR)) {
    return i + (script.charCodeAt(i + 1) === CR && script.charCodeAt(i + 2) === LF ? 3 : 2); // a continued line
  }
  if (isCommandEnd(c)) {
    endCommand(f);
    return i + 1;
  }
  if (isCloser(c)) return closeGroup(scan, f, c, i);
  if (c === HASH && f.cmd === null) return lineEnd(script, i);
  const st = f.cmd ?? startCommand(scan.out, f);
  // The value of a variable being assigned: whatever the word is.
  if (st.assign === 2) return variableValue(scan, f, st, i);
  if (isOpener(c)) {
    plainWord(f, st, "");
    stack.push({ closer: CLOSER[c]!, menu: innerMenu(f, st, c), owner: null, cmd: null });
    return i + 1;
  }
  if (c === QUOTE) {
    const end = valueEnd(script, i);
    plainWord(f, st, script.slice(i, end));
    return end;
  }
  return paramOrWord(scan, f, st, i);
}

/** Index of the line break that ends the comment at `i` (or the script's end). */
function lineEnd(s: string, i: number): number {
  const n = s.length;
  while (i < n && s.charCodeAt(i) !== LF && s.charCodeAt(i) !== CR) i++;
  return i;
}

/** The closer `c` at `i`: it ends the innermost group if it is that group's closer; a stray one is skipped. */
function closeGroup(scan: Scan, f: Frame, c: number, i: number): number {
  i++;
  if (scan.stack.length === 1 || c !== f.closer) return i; // a stray closer
  endCommand(f);
  scan.stack.pop();
  if (f.owner) i = f.owner.end = valueEnd(scan.script, i); // `{...}` followed by more of the same value
  return i;
}

/** A command ends: a command of menu words alone switches the group's menu to them. */
function endCommand(f: Frame): void {
  const st = f.cmd;
  f.cmd = null;
  if (st && st.onlyPath && st.path) f.menu = menuOf(st.path);
}

function startCommand(out: Command[], f: Frame): CommandState {
  const command: Command = { menu: null, tokens: [] };
  out.push(command);
  return (f.cmd = { command, path: null, pathOpen: false, onlyPath: false, words: 0, assign: 0, variable: null });
}

/** The menu of commands inside a group opened by `opener`: `[ find ... ]` works in the command's own menu. */
function innerMenu(f: Frame, st: CommandState, opener: number): string {
  return opener === 0x5b && st.command.menu !== null ? st.command.menu : f.menu;
}

/** The value word of `:local name value` (and `:global`, `:set`) at `i`, as a `variable` token. */
function variableValue(scan: Scan, f: Frame, st: CommandState, i: number): number {
  st.assign = 0;
  st.words++;
  st.pathOpen = st.onlyPath = false;
  const token: ScriptToken = { kind: "variable", name: st.variable ?? "", start: i, end: i };
  st.command.tokens.push(token);
  return tokenValue(scan, f, st, token, i);
}

/** At `i` a name: `name=value` becomes a `param` token; anything else is a plain word. */
function paramOrWord(scan: Scan, f: Frame, st: CommandState, i: number): number {
  const { script } = scan;
  const j = nameEnd(script, i);
  const name = script.slice(i, j);
  if (j < script.length && script.charCodeAt(j) === EQUALS && PARAM_NAME.test(name)) {
    st.words++;
    st.pathOpen = st.onlyPath = false;
    const token: ScriptToken = { kind: "param", name, start: j + 1, end: j + 1 };
    st.command.tokens.push(token);
    return tokenValue(scan, f, st, token, j + 1);
  }
  const k = plainWordEnd(script, i);
  plainWord(f, st, script.slice(i, k));
  return k;
}

/** Index just past a name starting at `i`: it stops at `=`, a quote, a bracket or the value's end. */
function nameEnd(s: string, i: number): number {
  const n = s.length;
  for (; i < n; i++) {
    const d = s.charCodeAt(i);
    if (endsValue(d) || d === EQUALS || d === QUOTE || isOpener(d)) break;
  }
  return i;
}

/** Index just past a plain word at `i` (at least one character): it runs to a blank, the command's end, a bracket; quoted parts are inside it. */
function plainWordEnd(s: string, i: number): number {
  const n = s.length;
  let k = i;
  while (k < n) {
    const d = s.charCodeAt(k);
    if (endsValue(d) || isOpener(d)) break;
    k = d === QUOTE ? skipQuoted(s, k) : d === BACKSLASH ? k + 2 : k + 1;
  }
  return Math.min(Math.max(k, i + 1), n);
}

/**
 * The value of `token`, starting at `at`. A group (`{...}`, `[...]`, `$[...]`)
 * is opened and scanned for its own commands, its end becoming the token's
 * end; a bare value is skipped whole. Returns where scanning goes on.
 */
function tokenValue(scan: Scan, f: Frame, st: CommandState, token: ScriptToken, at: number): number {
  const { script } = scan;
  const v = script.charCodeAt(at);
  const groupAt = isOpener(v) ? at : v === DOLLAR && isOpener(script.charCodeAt(at + 1)) ? at + 1 : -1;
  if (groupAt < 0) return (token.end = valueEnd(script, at));
  const o = script.charCodeAt(groupAt);
  scan.stack.push({ closer: CLOSER[o]!, menu: innerMenu(f, st, o), owner: token, cmd: null });
  return groupAt + 1;
}

/** A plain word (not `name=value`) of the command: menu words, a verb, a scripting command or its arguments. */
function plainWord(f: Frame, st: CommandState, word: string): void {
  st.words++;
  if (st.words === 1) {
    firstWord(f, st, word);
    return;
  }
  if (st.assign === 1) {
    st.variable = word.charCodeAt(0) === QUOTE ? word.slice(1, -1) : word;
    st.assign = 2;
    return;
  }
  if (st.pathOpen && PATH_WORD.test(word) && !VERBS.has(word)) {
    st.path!.push(word);
    st.command.menu = menuOf(st.path!);
    return;
  }
  st.pathOpen = st.onlyPath = false;
}

/** A command's first word: a scripting command (`:local`), an absolute menu (`/ppp secret`, `/ppp/secret/add`), or a word relative to the current menu. */
function firstWord(f: Frame, st: CommandState, word: string): void {
  if (word.charCodeAt(0) === 0x3a /* : */) {
    st.assign = ASSIGNING.has(word) ? 1 : 0;
    return;
  }
  if (word.charCodeAt(0) === 0x2f /* / */) {
    // `/ppp/secret/add` (v7 slash form): the menu ends at the verb.
    const parts = word.slice(1).split("/").filter((p) => p !== "");
    const verb = parts.findIndex((p) => VERBS.has(p));
    const menu = verb < 0 ? parts : parts.slice(0, verb);
    if (menu.every((p) => PATH_WORD.test(p))) {
      st.path = menu;
      st.pathOpen = st.onlyPath = verb < 0;
    }
  } else if (PATH_WORD.test(word)) {
    st.path = pathOf(f.menu);
    if (!VERBS.has(word)) {
      st.path.push(word);
      st.pathOpen = st.onlyPath = true;
    }
  }
  st.command.menu = st.path ? menuOf(st.path) : null;
}
