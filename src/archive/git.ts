import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { RosarchiveError } from "../common/index.js";

/** Where git is looked for: set once by the composition root from its environment. */
let searchPath = "/usr/local/bin:/usr/bin:/bin";

/** The PATH git runs with (the CLI passes its own PATH at start, so a git in /opt is found). */
export function setGitSearchPath(value: string | undefined): void {
  if (value) searchPath = value;
}

/**
 * The only place that spawns git. A fixed environment so a host's global or
 * system git config (commit.gpgsign, core.autocrlf, hooks...) can't change
 * what we archive; no prompts; fixed locale; arguments as an array, never
 * through a shell; anything derived from input after `--`.
 */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: searchPath,
    HOME: "/nonexistent",
    LANG: "C",
    LC_ALL: "C",
    TZ: "UTC",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    GIT_ATTR_NOSYSTEM: "1",
    GIT_NO_REPLACE_OBJECTS: "1",
    GIT_OPTIONAL_LOCKS: "0",
    ...extra,
  };
}

export interface GitCall {
  /** The bare repository. */
  readonly gitDir: string;
  /** Subcommand and its fixed flags, e.g. ["log", "--format=%H"]. Never user input. */
  readonly args: readonly string[];
  /** Revisions or other positional input; each is refused if it starts with `-`. */
  readonly revs?: readonly string[];
  /** Paths, placed after `--`. */
  readonly paths?: readonly string[];
  readonly input?: string | Buffer;
  /** Output cap: beyond it the process is killed and the call fails. */
  readonly maxBytes?: number;
  /** Exit codes other than 0 that are answers, not failures (e.g. 1 for `diff --quiet`). */
  readonly okCodes?: readonly number[];
  readonly timeoutMs?: number;
  readonly env?: Record<string, string>;
}

export interface GitResult {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly code: number;
}

export class GitError extends RosarchiveError {
  constructor(args: readonly string[], code: number | null, stderr: string) {
    super("error", `git ${args[0]} failed (${code ?? "killed"}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`, {
      git: args[0],
      exit: code,
    });
  }
}

export function gitArgs(call: GitCall): string[] {
  const argv = ["--git-dir", call.gitDir, ...call.args];
  for (const rev of call.revs ?? []) {
    if (rev.startsWith("-")) throw new RosarchiveError("bad_parameter", `revision ${JSON.stringify(rev.slice(0, 60))} may not start with '-'`);
    argv.push(rev);
  }
  if (call.paths) argv.push("--", ...call.paths);
  return argv;
}

export function runGit(call: GitCall): Promise<GitResult> {
  const argv = gitArgs(call);
  return new Promise((resolve, reject) => {
    const child = spawn("git", argv, { env: gitEnv(call.env), stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = "";
    let killedForSize = false;
    const timer = call.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), call.timeoutMs) : null;
    child.stdout.on("data", (c: Buffer) => {
      size += c.length;
      if (call.maxBytes !== undefined && size > call.maxBytes) {
        killedForSize = true;
        child.kill("SIGKILL");
        return;
      }
      chunks.push(c);
    });
    child.stderr.on("data", (c: Buffer) => {
      if (stderr.length < 16_384) stderr += c.toString("utf8");
    });
    child.on("error", (err) => {
      if (timer) clearTimeout(timer);
      reject(new RosarchiveError("error", `cannot run git: ${err.message} (is git installed?)`));
    });
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      if (killedForSize) return reject(new RosarchiveError("payload_too_large", `git ${call.args[0]} output exceeds ${call.maxBytes} bytes`));
      if (code === 0 || (code !== null && call.okCodes?.includes(code))) {
        resolve({ stdout: Buffer.concat(chunks), stderr, code: code ?? 0 });
      } else reject(new GitError(call.args, code, stderr));
    });
    child.stdin.on("error", () => {}); // git may exit before reading all input
    child.stdin.end(call.input ?? "");
  });
}

/** A running `streamGit`: `done` settles when git ends; `stop()` ends it early (done then resolves). */
export interface GitStream {
  readonly done: Promise<void>;
  stop(): void;
}

/**
 * Runs git and hands its output to `onChunk` as it comes, never holding it
 * whole (a log of a million commits). `onChunk` returning false pauses the
 * output until `resume()` is called, so a consumer can yield to the event loop.
 */
export function streamGit(call: GitCall, onChunk: (chunk: Buffer, resume: () => void) => boolean): GitStream {
  const argv = gitArgs(call);
  const child = spawn("git", argv, { env: gitEnv(call.env), stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stopped = false;
  child.stderr.on("data", (c: Buffer) => {
    if (stderr.length < 16_384) stderr += c.toString("utf8");
  });
  const resume = () => child.stdout.resume();
  child.stdout.on("data", (c: Buffer) => {
    if (stopped) return;
    if (!onChunk(c, resume)) child.stdout.pause();
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (err) => reject(new RosarchiveError("error", `cannot run git: ${err.message} (is git installed?)`)));
    child.on("close", (code) => {
      if (stopped || code === 0) resolve();
      else reject(new GitError(call.args, code, stderr));
    });
  });
  return {
    done,
    stop() {
      stopped = true;
      child.kill("SIGKILL");
    },
  };
}

/**
 * `git http-backend` as a CGI child for the smart-HTTP routes, with the fixed
 * environment plus the CGI variables the caller validated and built.
 */
export function spawnHttpBackend(cgiEnv: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn("git", ["http-backend"], { env: gitEnv(cgiEnv), stdio: ["pipe", "pipe", "pipe"] });
}

/** Convenience: stdout as UTF-8 text. */
export async function gitText(call: GitCall): Promise<string> {
  return (await runGit(call)).stdout.toString("utf8");
}

/**
 * A long-lived git process speaking a line protocol on stdin/stdout
 * (`cat-file --batch`): one spawn serves many requests.
 * Requests are queued and answered in order.
 */
export class GitPipe {
  private child: ChildProcessWithoutNullStreams | null = null;
  private buffer: Buffer = Buffer.alloc(0);
  private waiters: Array<{ parse: (buf: Buffer) => { value: unknown; used: number } | null; resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private stderr = "";
  private closed = false;

  constructor(private readonly gitDir: string, private readonly args: readonly string[]) {}

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    // A late request after close must not spawn a process nobody will end (it would keep the service alive).
    if (this.closed) throw new RosarchiveError("error", `git ${this.args[0]} used after the repository was closed`);
    const child = spawn("git", ["--git-dir", this.gitDir, ...this.args], { env: gitEnv(), stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    this.stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, c]) : c;
      this.drain();
    });
    child.stderr.on("data", (c: Buffer) => {
      if (this.stderr.length < 8192) this.stderr += c.toString("utf8");
    });
    child.stdin.on("error", () => {});
    const fail = (why: string) => {
      if (this.child !== child) return;
      this.child = null;
      this.buffer = Buffer.alloc(0);
      const err = new GitError(this.args, null, why || this.stderr);
      for (const w of this.waiters.splice(0)) w.reject(err);
    };
    child.on("error", (e) => fail(e.message));
    child.on("close", () => fail(this.stderr || "git process ended"));
    return child;
  }

  private drain(): void {
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      const r = w.parse(this.buffer);
      if (!r) return;
      this.buffer = this.buffer.subarray(r.used);
      this.waiters.shift();
      w.resolve(r.value);
    }
  }

  /** Sends `input` and resolves with what `parse` reads from the output. */
  request<T>(input: string, parse: (buf: Buffer) => { value: T; used: number } | null): Promise<T> {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = this.start();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiters.push({ parse, resolve: resolve as (v: unknown) => void, reject });
      child.stdin.write(input);
    });
  }

  close(): void {
    this.closed = true;
    const child = this.child;
    this.child = null;
    if (child) {
      child.stdin.end();
      for (const w of this.waiters.splice(0)) w.reject(new RosarchiveError("error", "git process closed"));
    }
  }
}
