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
  const out: Command[] = [];
  const n = script.length;
  const stack: Frame[] = [{ closer: 0, menu: "/", owner: null, cmd: null }];

  const endCommand = (f: Frame): void => {
    const st = f.cmd;
    f.cmd = null;
    if (st && st.onlyPath && st.path) f.menu = menuOf(st.path);
  };
  const startCommand = (f: Frame): CommandState => {
    const command: Command = { menu: null, tokens: [] };
    out.push(command);
    return (f.cmd = { command, path: null, pathOpen: false, onlyPath: false, words: 0, assign: 0, variable: null });
  };
  /** A plain word (not `name=value`) of the command: menu words, a verb, a scripting command or its arguments. */
  const plainWord = (f: Frame, st: CommandState, word: string): void => {
    st.words++;
    if (st.words === 1) {
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
  };

  let i = 0;
  while (i < n) {
    const f = stack[stack.length - 1]!;
    const c = script.charCodeAt(i);
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === BACKSLASH && (script.charCodeAt(i + 1) === LF || script.charCodeAt(i + 1) === CR)) {
      i += script.charCodeAt(i + 1) === CR && script.charCodeAt(i + 2) === LF ? 3 : 2; // a continued line
      continue;
    }
    if (isCommandEnd(c)) {
      endCommand(f);
      i++;
      continue;
    }
    if (isCloser(c)) {
      i++;
      if (stack.length === 1 || c !== f.closer) continue; // a stray closer
      endCommand(f);
      stack.pop();
      if (f.owner) i = f.owner.end = valueEnd(script, i); // `{...}` followed by more of the same value
      continue;
    }
    if (c === HASH && f.cmd === null) {
      while (i < n && script.charCodeAt(i) !== LF && script.charCodeAt(i) !== CR) i++;
      continue;
    }
    const st = f.cmd ?? startCommand(f);
    const innerMenu = (opener: number): string => (opener === 0x5b && st.command.menu !== null ? st.command.menu : f.menu);

    // The value of a variable being assigned: whatever the word is.
    if (st.assign === 2) {
      st.assign = 0;
      st.words++;
      st.pathOpen = st.onlyPath = false;
      const token: ScriptToken = { kind: "variable", name: st.variable ?? "", start: i, end: i };
      st.command.tokens.push(token);
      const groupAt = isOpener(c) ? i : c === DOLLAR && isOpener(script.charCodeAt(i + 1)) ? i + 1 : -1;
      if (groupAt >= 0) {
        const o = script.charCodeAt(groupAt);
        stack.push({ closer: CLOSER[o]!, menu: innerMenu(o), owner: token, cmd: null });
        i = groupAt + 1;
      } else {
        i = token.end = valueEnd(script, i);
      }
      continue;
    }
    if (isOpener(c)) {
      plainWord(f, st, "");
      stack.push({ closer: CLOSER[c]!, menu: innerMenu(c), owner: null, cmd: null });
      i++;
      continue;
    }
    if (c === QUOTE) {
      const end = valueEnd(script, i);
      plainWord(f, st, script.slice(i, end));
      i = end;
      continue;
    }

    // A name: `name=value`, or a plain word.
    let j = i;
    for (; j < n; j++) {
      const d = script.charCodeAt(j);
      if (endsValue(d) || d === EQUALS || d === QUOTE || isOpener(d)) break;
    }
    const name = script.slice(i, j);
    if (j < n && script.charCodeAt(j) === EQUALS && PARAM_NAME.test(name)) {
      st.words++;
      st.pathOpen = st.onlyPath = false;
      const start = j + 1;
      const token: ScriptToken = { kind: "param", name, start, end: start };
      st.command.tokens.push(token);
      const v = script.charCodeAt(start);
      const groupAt = isOpener(v) ? start : v === DOLLAR && isOpener(script.charCodeAt(start + 1)) ? start + 1 : -1;
      if (groupAt >= 0) {
        const o = script.charCodeAt(groupAt);
        stack.push({ closer: CLOSER[o]!, menu: innerMenu(o), owner: token, cmd: null });
        i = groupAt + 1;
      } else {
        i = token.end = valueEnd(script, start);
      }
      continue;
    }
    // A plain word runs to a blank, the command's end, a bracket; quoted parts are inside it.
    let k = i;
    while (k < n) {
      const d = script.charCodeAt(k);
      if (endsValue(d) || isOpener(d)) break;
      k = d === QUOTE ? skipQuoted(script, k) : d === BACKSLASH ? k + 2 : k + 1;
    }
    k = Math.min(Math.max(k, i + 1), n);
    plainWord(f, st, script.slice(i, k));
    i = k;
  }
  // Unclosed groups end with the script: their owners' values run to the end.
  for (let d = stack.length - 1; d > 0; d--) if (stack[d]!.owner) stack[d]!.owner!.end = n;
  return out.filter((cmd) => cmd.tokens.length > 0);
}
