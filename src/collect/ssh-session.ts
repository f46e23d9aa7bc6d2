import ssh2, { type AnyAuthMethod, type AuthenticationType, type AuthHandlerMiddleware, type Client, type ClientChannel } from "ssh2";
import { RosarchiveError } from "../common/index.js";
import { sshAlgorithms } from "./algorithms.js";
import { classifySshError, isTerminalSshError } from "./classify-ssh-error.js";
import { hostKeyFingerprint } from "./host-key-fingerprint.js";
import type { SshTarget } from "./types.js";

export interface ExecOutput {
  readonly stdout: Buffer;
  /** At most STDERR_CAP bytes: kept only to look for error lines. */
  readonly stderr: Buffer;
  /** Null when the channel closed without an exit status (truncated). */
  readonly exitCode: number | null;
}

export interface SshSession {
  /** The host key the device presented, `SHA256:...`. */
  readonly fingerprint: string;
  /** Runs one command on an exec channel; rejects once `timeoutMs` passes or stdout reaches `maxBytes`. */
  exec(command: string, limits: { maxBytes: number; timeoutMs: number }): Promise<ExecOutput>;
  /** Ends the connection; safe to call twice. */
  close(): void;
}

export interface SessionOptions {
  readonly pinnedFingerprint: string | null;
  readonly connectTimeoutMs: number;
  readonly signal?: AbortSignal;
}

// ssh2 is CommonJS: its named exports are not visible to ESM imports.
const { Client: SshClient, utils } = ssh2;
const STDERR_CAP = 64 * 1024;
const noop = () => {};

/**
 * One authenticated SSH connection. The host key is checked in
 * ssh2's hostVerifier, during key exchange and before authentication, so a
 * mismatching device is never sent credentials and nothing is read from it.
 */
export function openSshSession(target: SshTarget, opts: SessionOptions): Promise<SshSession> {
  const where = `${target.host}:${target.port}`;
  const client: Client = new SshClient();
  // ssh2 may emit 'error' after we are done with it; an unheard 'error' would crash the process.
  client.on("error", noop);
  // The key of this session's first exchange, and a different one if the device showed it (at the start or on a re-key).
  let presented: string | null = null;
  let offending: string | null = null;
  let mismatch = false;
  // The operation in progress (connect or one exec) and how to fail it.
  let failCurrent: ((err: RosarchiveError) => void) | null = null;
  let closed = false;

  const onAbort = () => {
    const reason: unknown = opts.signal?.reason;
    failCurrent?.(reason instanceof RosarchiveError ? reason : new RosarchiveError("timeout", `${where}: collection aborted`));
    client.destroy();
  };
  const close = () => {
    if (closed) return;
    closed = true;
    opts.signal?.removeEventListener("abort", onAbort);
    failCurrent = null;
    client.end();
    // A hung peer must not keep the socket open after we hung up.
    setTimeout(() => client.destroy(), 1000).unref();
  };

  const hostMismatchError = () => {
    const expected = opts.pinnedFingerprint ?? presented;
    const pinnedOrSession = opts.pinnedFingerprint ? "is pinned" : "was presented earlier in the same session";
    return new RosarchiveError(
      "host_key_mismatch",
      `${where} presented host key ${offending}, but ${expected} ${pinnedOrSession}; nothing was kept from the device. If the key change is expected, accept the new key.`,
      { expected_fingerprint: expected, presented_fingerprint: offending },
    );
  };

  const session: SshSession = {
    get fingerprint() {
      return presented ?? "";
    },
    exec: (command, limits) => execOn(client, command, limits, where, (f) => (failCurrent = f)),
    close,
  };

  return new Promise<SshSession>((resolve, reject) => {
    let settled = false;
    const settle = (err: RosarchiveError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.removeListener("ready", onReady);
      failCurrent = null;
      if (err) {
        opts.signal?.removeEventListener("abort", onAbort);
        closed = true;
        client.destroy();
        reject(err);
      } else resolve(session);
    };
    const onReady = () => settle(null);
    const timer = setTimeout(
      () => settle(new RosarchiveError("timeout", `${where}: no SSH session within ${opts.connectTimeoutMs} ms`)),
      opts.connectTimeoutMs,
    );
    failCurrent = (err) => settle(err);
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    client.on("error", (err) => {
      if (!settled && (mismatch || isTerminalSshError(err))) settle(mismatch ? hostMismatchError() : classifySshError(err, where, target.username));
      else failCurrent?.(mismatch ? hostMismatchError() : classifySshError(err, where, target.username));
    });
    client.on("close", () => {
      if (!settled) settle(mismatch ? hostMismatchError() : new RosarchiveError("unreachable", `${where}: connection closed before the SSH session was ready`));
      else failCurrent?.(mismatch ? hostMismatchError() : new RosarchiveError("invalid_output", `${where}: connection closed before the command finished: output truncated, nothing kept`));
    });
    client.once("ready", onReady);

    try {
      client.connect({
        host: target.host,
        port: target.port,
        username: target.username,
        readyTimeout: 0, // our own timer covers handshake and auth together
        algorithms: sshAlgorithms(),
        // Called on every key exchange, re-keys included: a device (or a man in
        // the middle) that swaps its key mid-session is refused like one that
        // presents a wrong key at connect, and the command in flight fails.
        hostVerifier: (key: Buffer) => {
          const fingerprint = hostKeyFingerprint(key);
          const expected = opts.pinnedFingerprint ?? presented;
          presented ??= fingerprint;
          if (expected !== null && fingerprint !== expected) {
            mismatch = true;
            offending = fingerprint;
            return false;
          }
          return true;
        },
        authHandler: makeAuthHandler(target),
        tryKeyboard: target.password !== undefined,
      });
      // SSH is a conversation of small messages: without TCP_NODELAY each one may wait for the
      // previous one's ACK (Nagle) while the peer delays that ACK, some 40 ms a handshake step.
      client.setNoDelay(true);
    } catch (err) {
      settle(classifySshError(err, where, target.username));
    }
  });
}

/** Public key first (when configured), then password, then keyboard-interactive answering every prompt with the password. */
function makeAuthHandler(target: SshTarget) {
  const { username, password, privateKey, passphrase } = target;
  const methods: AnyAuthMethod[] = [];
  if (privateKey !== undefined) {
    const parsed = utils.parseKey(privateKey, passphrase);
    if (parsed instanceof Error) {
      throw new RosarchiveError("auth_failed", `the private key for '${username}' cannot be used (wrong passphrase or unsupported format)`);
    }
    methods.push({ type: "publickey", username, key: privateKey, ...(passphrase !== undefined && { passphrase }) });
  }
  if (password !== undefined) {
    methods.push({ type: "password", username, password });
    methods.push({
      type: "keyboard-interactive",
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)),
    });
  }
  if (methods.length === 0) throw new RosarchiveError("auth_failed", `no password or private key configured for '${username}'`);
  let next = 0;
  const handler = (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, cb: (m: AnyAuthMethod | false) => void): void => {
    while (next < methods.length) {
      const m = methods[next++]!;
      // Skip what the server said it does not accept (RouterOS may offer only some).
      if (!methodsLeft || methodsLeft.includes(m.type)) return cb(m);
    }
    cb(false);
  };
  // ssh2 accepts `false` ("no more methods"); its typings omit it.
  return handler as unknown as AuthHandlerMiddleware;
}

function execOn(
  client: Client,
  command: string,
  limits: { maxBytes: number; timeoutMs: number },
  where: string,
  setFail: (f: ((err: RosarchiveError) => void) | null) => void,
): Promise<ExecOutput> {
  return new Promise<ExecOutput>((resolve, reject) => {
    let done = false;
    let channel: ClientChannel | null = null;
    const chunks: Buffer[] = [];
    let size = 0;
    const errChunks: Buffer[] = [];
    let errSize = 0;
    let exitCode: number | null = null;

    const finish = (err: RosarchiveError | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      setFail(null);
      if (err) {
        chunks.length = 0;
        channel?.destroy();
        reject(err);
      } else resolve({ stdout: Buffer.concat(chunks, size), stderr: Buffer.concat(errChunks, errSize), exitCode });
    };
    const timer = setTimeout(
      () => finish(new RosarchiveError("timeout", `${where}: the command did not finish within the command timeout (${size} bytes received)`)),
      Math.max(0, limits.timeoutMs),
    );
    setFail((err) => finish(err));

    client.exec(command, (err, ch) => {
      if (done) return ch?.destroy();
      if (err) return finish(new RosarchiveError("error", `${where}: the device refused an exec channel: ${err.message}`));
      channel = ch;
      ch.on("data", (d: Buffer) => {
        if (done) return;
        size += d.length;
        // Cap, enforced while streaming: never buffer past it.
        if (size >= limits.maxBytes) return finish(new RosarchiveError("invalid_output", `${where}: the output reached the ${limits.maxBytes}-byte limit`));
        chunks.push(d);
      });
      ch.stderr.on("data", (d: Buffer) => {
        if (errSize >= STDERR_CAP) return;
        errChunks.push(d);
        errSize += d.length;
      });
      ch.on("exit", (code: unknown) => {
        // A signal instead of a status counts as failure.
        exitCode = typeof code === "number" ? code : null;
      });
      ch.on("close", () => finish(null));
    });
  });
}
