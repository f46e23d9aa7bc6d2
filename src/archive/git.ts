import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { RosarchiveError, type ErrorCode } from "../common/index.js";

/** Where git is looked for: set once by the composition root from its environment. */
let searchPath = "/usr/local/bin:/usr/bin:/bin";

/** The PATH git runs with now (tests that take git away put it back). */
export function gitSearchPath(): string {
  return searchPath;
}

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
  /** Working directory (`diff --no-index` reads files relative to it); the process's own when absent. */
  readonly cwd?: string;
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
    const child = spawn("git", argv, { env: gitEnv(call.env), stdio: ["pipe", "pipe", "pipe"], ...(call.cwd && { cwd: call.cwd }) });
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

export interface StreamResult {
  readonly code: number | null;
  readonly stderr: string;
  /** `onData` asked to stop: git was killed, its output is a prefix. */
  readonly stopped: boolean;
  /** The time limit ended it: its output is a prefix. */
  readonly timedOut: boolean;
}

/**
 * git with its output handed to `onData` as it comes: a reader that has
 * enough (a page of search hits) returns true and git is killed at once,
 * without reading the rest. A time limit ends it the same way (`timedOut`).
 * Resolves when git has exited; rejects only when git cannot run, or exits
 * with a code that is neither 0 nor in `okCodes` by itself.
 */
export function streamGit(call: GitCall, onData: (chunk: Buffer) => boolean): Promise<StreamResult> {
  const argv = gitArgs(call);
  return new Promise((resolve, reject) => {
    const child = spawn("git", argv, { env: gitEnv(call.env), stdio: ["pipe", "pipe", "pipe"], ...(call.cwd && { cwd: call.cwd }) });
    let stderr = "";
    let stopped = false;
    let timedOut = false;
    const timer = call.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, call.timeoutMs)
      : null;
    child.stdout.on("data", (c: Buffer) => {
      if (stopped || timedOut) return;
      if (onData(c)) {
        stopped = true;
        child.kill("SIGKILL");
      }
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
      if (stopped || timedOut || code === 0 || (code !== null && call.okCodes?.includes(code))) resolve({ code, stderr, stopped, timedOut });
      else reject(new GitError(call.args, code, stderr));
    });
    child.stdin.on("error", () => {});
    child.stdin.end(call.input ?? "");
  });
}

/** A running `streamGitChunks`: `done` settles when git ends; `stop()` ends it early (done then resolves). */
export interface GitStream {
  readonly done: Promise<void>;
  stop(): void;
}

/**
 * Runs git and hands its output to `onChunk` as it comes, never holding it
 * whole (a log of a million commits). `onChunk` returning false pauses the
 * output until `resume()` is called, so a consumer can yield to the event loop.
 */
export function streamGitChunks(call: GitCall, onChunk: (chunk: Buffer, resume: () => void) => boolean): GitStream {
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
 * Runs git from a small helper process (`launchGitFrom`), for reads a
 * request waits on (diff, timeline): the kernel's fork copies the page
 * tables of the process that forks, so a service holding a large history
 * index waited twice as long for a `git diff` as git itself took. The helper
 * stays small whatever the service holds. Without one (CLI commands,
 * tests) or when it fails, git runs from this process.
 */
export function runGitQuickly(call: GitCall): Promise<GitResult> {
  // While the service is small, forking from it costs no more than from the helper: the helper starts only once it has grown.
  if (!launcher || call.input !== undefined || call.env !== undefined || process.memoryUsage.rss() < launcher.aboveRss) return runGit(call);
  return launcher.run(call).catch((err: unknown) => {
    if (err instanceof LauncherUnavailable) return runGit(call);
    throw err;
  });
}

class LauncherUnavailable extends Error {}

interface LauncherHead {
  readonly id: number;
  readonly code: number;
  readonly stderr: string;
  readonly size: number;
  readonly ready?: true;
  readonly error?: { code: string; message: string; data?: Record<string, unknown> };
}

/** One answer of the helper: its header line, then `size` bytes of git's stdout. */
function parseLauncherAnswer(buf: Buffer): { value: { head: LauncherHead; stdout: Buffer }; used: number } | { need: number } | null {
  const nl = buf.indexOf(10);
  if (nl < 0) return null;
  const head = JSON.parse(buf.toString("utf8", 0, nl)) as LauncherHead;
  const end = nl + 1 + head.size;
  if (buf.length < end) return { need: end };
  return { value: { head, stdout: Buffer.from(buf.subarray(nl + 1, end)) }, used: end };
}

/** Resident size past which git runs from the helper (a small install never starts it). */
const LAUNCH_ABOVE_RSS = 128 * 2 ** 20;

/** The helper process and the requests it has not answered yet. */
class GitLauncher {
  private child: ChildProcessWithoutNullStreams | null = null;
  private frames = new FrameReader();
  private readonly pending = new Map<number, { call: GitCall; resolve: (r: GitResult) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failures = 0;
  /** The helper said it reads requests. */
  private ready = false;
  /** Requests the helper answered (tests). */
  answered = 0;

  constructor(private readonly argv: readonly string[], readonly aboveRss: number) {}

  /** The helper's process id while it runs (tests). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  run(call: GitCall): Promise<GitResult> {
    try {
      gitArgs(call); // refuses bad revisions here, with the same error as runGit
    } catch (err) {
      return Promise.reject(err);
    }
    const child = this.start();
    // While the helper boots (Node's start takes 50-150 ms) requests run git from here: none waits for it.
    if (!child || !this.ready) return Promise.reject(new LauncherUnavailable());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { call, resolve, reject });
      child.stdin.write(`${JSON.stringify({ id, call })}\n`);
    });
  }

  /** Starts the helper now when the service is already large, so that no request is the one that starts it. */
  warm(): void {
    if (process.memoryUsage.rss() >= this.aboveRss) this.start();
  }

  private start(): ChildProcessWithoutNullStreams | null {
    if (this.child) return this.child;
    if (this.failures >= 3) return null; // it keeps dying: git runs from the service
    const child = spawn(process.execPath, [...this.argv, searchPath], { stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr] as unknown as Array<{ unref?: () => void }>) s.unref?.();
    child.stdout.on("data", (c: Buffer) => {
      if (this.frames.push(c)) this.drain();
    });
    child.stderr.resume();
    child.stdin.on("error", () => {});
    const gone = () => {
      if (this.child !== child) return;
      this.child = null;
      this.ready = false;
      this.failures++;
      this.frames = new FrameReader();
      // Unanswered requests run again from the service.
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        runGit(p.call).then(p.resolve, p.reject);
      }
    };
    child.on("error", gone);
    child.on("exit", gone);
    return child;
  }

  /** `<header JSON>\n<stdout bytes>` per answer, in any order. */
  private drain(): void {
    for (let frame = this.frames.next(parseLauncherAnswer); frame; frame = this.frames.next(parseLauncherAnswer)) {
      const { head, stdout } = frame.value;
      if (head.ready) {
        this.ready = true;
        continue;
      }
      const p = this.pending.get(head.id);
      this.pending.delete(head.id);
      if (!p) continue;
      this.failures = 0;
      this.answered++;
      if (head.error) p.reject(new RosarchiveError(head.error.code as ErrorCode, head.error.message, head.error.data ?? {}));
      else p.resolve({ stdout, stderr: head.stderr, code: head.code });
    }
  }

  close(): void {
    const child = this.child;
    this.child = null;
    this.ready = false;
    child?.kill();
  }
}

let launcher: GitLauncher | null = null;

/**
 * From now on `runGitQuickly` runs git from a helper, `node <argv...> <PATH>`
 * running `serveGitRequests`, once this process is larger than `aboveRss`.
 */
export function launchGitFrom(argv: readonly string[], opts: { aboveRss?: number } = {}): void {
  launcher?.close();
  launcher = new GitLauncher(argv, opts.aboveRss ?? LAUNCH_ABOVE_RSS);
}

/** The helper's process id, when one runs, and how many requests it answered (tests). */
export function gitLauncherPid(): number | null {
  return launcher?.pid ?? null;
}
export function gitLauncherAnswered(): number {
  return launcher?.answered ?? 0;
}

/** Starts the helper ahead of the first request, if this process is large enough to use it (after loading caches). */
export function warmGitLauncher(): void {
  launcher?.warm();
}

/** Stops the helper (service shutdown); git runs from this process again. */
export function stopGitLauncher(): void {
  launcher?.close();
  launcher = null;
}

/** The helper's side: answers requests read from `input` with runGit, on `output`. */
export function serveGitRequests(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): void {
  output.write(`${JSON.stringify({ ready: true, id: 0, code: 0, stderr: "", size: 0 })}\n`);
  let rest = "";
  input.setEncoding("utf8");
  input.on("data", (chunk: string) => {
    rest += chunk;
    for (let nl = rest.indexOf("\n"); nl >= 0; nl = rest.indexOf("\n")) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      const { id, call } = JSON.parse(line) as { id: number; call: GitCall };
      runGit(call).then(
        (r) => output.write(Buffer.concat([Buffer.from(`${JSON.stringify({ id, code: r.code, stderr: r.stderr, size: r.stdout.length })}\n`), r.stdout])),
        (err: unknown) => {
          const e = err instanceof RosarchiveError ? { code: err.code, message: err.message, data: err.data } : { code: "error", message: String(err) };
          output.write(`${JSON.stringify({ id, code: -1, stderr: "", size: 0, error: e })}\n`);
        },
      );
    }
  });
  input.on("end", () => process.exit(0));
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
 * Reads one answer from the front of a `GitPipe`'s output: the value and the
 * bytes it used, `{ need }` (the answer's whole length, once its header says
 * it) or null (not even the header yet).
 */
export type PipeParser<T> = (buf: Buffer) => { value: T; used: number } | { need: number } | null;

/**
 * A child's output as it arrives, read in frames a parser recognises. The
 * chunks are joined only when a whole frame is there (or to look for its
 * header), so a 64 MiB object costs one copy, not one per 64 KiB chunk.
 */
class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Bytes the next frame needs before parsing is worth trying again. */
  private need = 0;

  /** Adds output; true when the next frame may be complete. */
  push(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this.length >= this.need;
  }

  /** The next whole frame, taken off the front, or null until more output arrives. */
  next<T>(parse: PipeParser<T>): { value: T } | null {
    if (this.length === 0 || this.length < this.need) return null;
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length);
    const r = parse(buf);
    const rest = r && "used" in r ? buf.subarray(r.used) : buf;
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    if (!r || "need" in r) {
      this.need = r ? r.need : this.length + 1;
      return null;
    }
    this.need = 0;
    return { value: r.value };
  }
}

/**
 * A long-lived git process speaking a line protocol on stdin/stdout
 * (`cat-file --batch`): one spawn serves many requests.
 * Requests are queued and answered in order.
 */
export class GitPipe {
  private child: ChildProcessWithoutNullStreams | null = null;
  private frames = new FrameReader();
  private waiters: Array<{ parse: PipeParser<unknown>; resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private stderr = "";
  private closed = false;
  private idle: NodeJS.Timeout | null = null;

  /** `idleMs`: the process ends after this long without a request (the next one starts it again). */
  constructor(
    private readonly gitDir: string,
    private readonly args: readonly string[],
    private readonly opts: { readonly idleMs?: number } = {},
  ) {}

  /** True while its git process runs. */
  get running(): boolean {
    return this.child !== null;
  }

  /** Requests sent and not answered yet. */
  get pending(): number {
    return this.waiters.length;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    // A late request after close must not spawn a process nobody will end (it would keep the service alive).
    if (this.closed) throw new RosarchiveError("error", `git ${this.args[0]} used after the repository was closed`);
    const child = spawn("git", ["--git-dir", this.gitDir, ...this.args], { env: gitEnv(), stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    this.stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      if (this.frames.push(c)) this.drain();
    });
    child.stderr.on("data", (c: Buffer) => {
      if (this.stderr.length < 8192) this.stderr += c.toString("utf8");
    });
    child.stdin.on("error", () => {});
    const fail = (why: string) => {
      if (this.child !== child) return;
      this.child = null;
      this.frames = new FrameReader();
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
      const frame = this.frames.next(w.parse);
      if (!frame) return;
      this.waiters.shift();
      w.resolve(frame.value);
    }
    if (this.opts.idleMs !== undefined) this.idleSoon(this.opts.idleMs);
  }

  private idleSoon(ms: number): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.idle = null;
      const child = this.child;
      if (!child || this.waiters.length > 0) return;
      this.child = null;
      this.frames = new FrameReader();
      child.stdin.end();
    }, ms);
    this.idle.unref();
  }

  /** Sends `input` and resolves with what `parse` reads from the output. */
  request<T>(input: string, parse: PipeParser<T>): Promise<T> {
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
    if (this.idle) clearTimeout(this.idle);
    const child = this.child;
    this.child = null;
    if (child) {
      child.stdin.end();
      for (const w of this.waiters.splice(0)) w.reject(new RosarchiveError("error", "git process closed"));
    }
  }
}
