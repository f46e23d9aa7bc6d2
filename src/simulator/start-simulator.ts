import { randomBytes } from "node:crypto";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import ssh2, { type AuthContext, type Connection, type ServerChannel, type ServerConfig } from "ssh2";
import { usableKeyPair } from "./usable-key-pair.js";
import { RosarchiveError, type Platform } from "../common/index.js";
import { hostKeyFingerprint } from "../collect/index.js";
import { ROUTEROS } from "../routeros/index.js";
import { exportHeaderLine } from "./export-date.js";
import { renderExport, type RenderedExport } from "./render-export.js";
import type { SimAuthMethod, SimDeviceInfo, SimDeviceStats, SimDeviceSpec, SimFault, Simulator, SimulatorOptions } from "./types.js";

// ssh2 is CommonJS: Node's ESM loader only finds its `default` export.
const { Server: SshServer, utils } = ssh2;
type SshServer = InstanceType<typeof SshServer>;

/** Old RouterOS v6 SSH: no curve25519/ECDH, no CTR/GCM, SHA-1 MACs, RSA host keys. */
const LEGACY_ALGORITHMS = {
  kex: ["diffie-hellman-group14-sha1", "diffie-hellman-group1-sha1"],
  cipher: ["aes128-cbc", "aes256-cbc"],
  hmac: ["hmac-sha1"],
  serverHostKey: ["ssh-rsa"],
} as ServerConfig["algorithms"];

const ALL_METHODS: readonly SimAuthMethod[] = ["password", "keyboard-interactive", "publickey"];
/** `huge` stops after this much (above the 64 MiB cap) unless the client hangs up first. */
const HUGE_LIMIT = 100 * 1024 * 1024;
const VERSION_COMMAND = ROUTEROS.commands.version;
/** `long_line`: one physical line of this many characters. */
const LONG_LINE = 10 * 1024 * 1024;
const noop = () => {};

interface DeviceState {
  spec: SimDeviceSpec;
  exportText: string;
  version: string;
  password: string | undefined;
  fault: SimFault | null;
  delayMs: number;
  publicKeys: ReturnType<typeof utils.parseKey>[];
  ssh: SshServer;
  net: NetServer;
  info: { id: string; port: number; hostKeyFingerprint: string; hostPublicKey: string; stats: SimDeviceStats };
  /** Rendered exports by `hideSensitive`, dropped when text or version change. */
  cache: Map<boolean, RenderedExport>;
}

/**
 * Simulated RouterOS devices for tests, benchmarks and `rosarchive demo`:
 * one ssh2 Server per device on its own loopback port, answering the exec
 * Commands rosarchive sends the way RouterOS v6/v7 does, with
 * injectable faults. Hundreds of devices fit in one process: each rendered
 * export is cached until it changes, only the header date is formatted per answer.
 */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const fleet = new SimulatedFleet(opts.host ?? "127.0.0.1");
  try {
    for (const spec of opts.devices) await fleet.addDevice(spec);
  } catch (err) {
    await fleet.stop();
    throw err;
  }
  return fleet;
}

/** How a simulated device checks a login: the methods and secrets its spec allows, a `wrong_password` fault refuses all. */
function authenticate(state: DeviceState, ctx: AuthContext): void {
  const methods = state.spec.authMethods ?? ALL_METHODS;
  const offered = methods.filter((m) => m !== "publickey" || state.publicKeys.length > 0);
  const refuse = () => ctx.reject(offered);
  if (state.fault === "wrong_password") return refuse();
  if (!offered.includes(ctx.method as SimAuthMethod) || ctx.username !== state.spec.username) return refuse();
  if (ctx.method === "password") {
    return state.password !== undefined && ctx.password === state.password ? ctx.accept() : refuse();
  }
  if (ctx.method === "keyboard-interactive") {
    return ctx.prompt([{ prompt: "password: ", echo: false }], (answers) =>
      state.password !== undefined && answers.length === 1 && answers[0] === state.password ? ctx.accept() : refuse(),
    );
  }
  if (ctx.method === "publickey") {
    const match = state.publicKeys.find((k) => !(k instanceof Error) && k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
    if (!match || match instanceof Error) return refuse();
    if (!ctx.signature) return ctx.accept(); // the "would this key do?" query
    return match.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : refuse();
  }
  refuse();
}

function finish(ch: ServerChannel, out: Buffer | string, code: number): void {
  if (out.length) ch.write(out);
  ch.exit(code);
  ch.end();
}

/**
 * `rekey_new_host_key`: the server side of a key swap mid-session (a device
 * replaced behind the same address, or a man in the middle taking over):
 * a new key exchange signed with a different host key. ssh2 has no public
 * API to change a live connection's host key, so the test device sets it
 * on the connection's protocol object.
 */
function rekeyWithNewKey(conn: Connection, then: () => void): void {
  const key = utils.parseKey(usableKeyPair().private);
  if (key instanceof Error) throw key;
  const protocol = (conn as unknown as { _protocol: { _hostKeys: Record<string, unknown> } })._protocol;
  protocol._hostKeys = { [key.type]: key };
  conn.rekey(then);
}

/**
 * A statement of an exec line RouterOS would refuse, as its error text, or
 * null when every statement is one the simulated version knows. The line is
 * parsed whole before anything runs, as RouterOS does: `;` separates
 * statements, and one unknown statement fails the whole line (v6 and
 * `show-sensitive`: `expected end of command`).
 */
function refusedStatement(command: string, statements: readonly string[], v6: boolean): string | null {
  const column = (text: string) => command.indexOf(text) + 1;
  for (const st of statements) {
    if (st !== VERSION_COMMAND && st !== "/export" && st !== "/export show-sensitive") {
      return `bad command name ${st.split(/\s+/)[0]!.replace(/^[/:]/, "")} (line 1 column ${column(st)})\r\n`;
    }
    if (v6 && st === "/export show-sensitive") return `expected end of command (line 1 column ${column("show-sensitive")})\r\n`;
  }
  return null;
}

class SimulatedFleet implements Simulator {
  readonly devices = new Map<string, SimDeviceInfo>();
  private readonly states = new Map<string, DeviceState>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly platform: Platform = ROUTEROS;
  private stopped = false;
  // Exec channels open right now, across all devices, and the most ever (concurrency checks).
  private execsOpen = 0;
  private execsPeak = 0;

  constructor(readonly host: string) {}

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private get(id: string): DeviceState {
    const s = this.states.get(id);
    if (!s) throw new RosarchiveError("not_found", `no simulated device '${id}'`);
    return s;
  }

  private makeSshServer(state: DeviceState, hostKey: string): SshServer {
    const key = utils.parseKey(hostKey);
    if (key instanceof Error) throw new RosarchiveError("bad_parameter", `simulated device '${state.spec.id}': unusable host key`);
    state.info.hostKeyFingerprint = hostKeyFingerprint(key.getPublicSSH());
    state.info.hostPublicKey = `${key.type} ${key.getPublicSSH().toString("base64")}`;
    const cfg: ServerConfig = { hostKeys: [hostKey] };
    if (state.spec.legacyAlgorithms) cfg.algorithms = LEGACY_ALGORITHMS;
    return new SshServer(cfg, (conn) => this.onConnection(state, conn));
  }

  private onConnection(state: DeviceState, conn: Connection): void {
    conn.on("error", noop);
    // As sshd does for interactive sessions: small messages go out at once, not after the peer's delayed ACK.
    (conn as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    conn.on("authentication", (ctx) => {
      state.info.stats.authAttempts++;
      authenticate(state, ctx);
    });
    conn.on("ready", () => {
      conn.on("session", (accept) => {
        const session = accept();
        session.on("exec", (acceptExec, _reject, info) => this.onExec(state, conn, acceptExec(), info.command));
        // rosarchive uses exec channels only; RouterOS would open a console here.
        session.on("shell", (_a, reject) => reject());
        session.on("pty", (_a, reject) => reject?.());
      });
    });
  }

  private onExec(state: DeviceState, conn: Connection, ch: ServerChannel, command: string): void {
    state.info.stats.execs++;
    state.info.stats.commands.push(command);
    ch.on("error", noop);
    // Counted until the channel or, when the client just hangs up, its connection closes.
    let open = true;
    const closed = () => {
      if (open) this.execsOpen--;
      open = false;
    };
    this.execsOpen++;
    this.execsPeak = Math.max(this.execsPeak, this.execsOpen);
    ch.once("close", closed);
    conn.once("close", closed);
    const answer = () => this.runCommand(state, command.trim(), ch, conn);
    if (state.delayMs > 0) this.later(state.delayMs, answer);
    else answer();
  }

  private rendered(state: DeviceState, hideSensitive: boolean): RenderedExport {
    let r = state.cache.get(hideSensitive);
    if (!r) {
      r = renderExport(state.exportText, this.platform, hideSensitive);
      state.cache.set(hideSensitive, r);
    }
    return r;
  }

  private exportBytes(state: DeviceState, hideSensitive: boolean): Buffer {
    const r = this.rendered(state, hideSensitive);
    if (!r.hasHeader) return Buffer.concat([r.before, r.after]);
    const header = Buffer.from(exportHeaderLine(state.version, new Date()) + r.headerTail + "\r\n", "utf8");
    return Buffer.concat([r.before, header, r.after]);
  }

  /** One exec line: version lines for the version probes, then the export, as the device's fault allows. */
  private runCommand(state: DeviceState, command: string, ch: ServerChannel, conn: Connection): void {
    if (this.stopped) return;
    if (state.fault === "hang") return; // accepted, never answered
    const v6 = Number.parseInt(state.version, 10) < 7;
    const statements = command.split(";").map((s) => s.trim()).filter(Boolean);
    const refused = refusedStatement(command, statements, v6);
    if (refused) return finish(ch, refused, 1);
    const exportAt = statements.findIndex((st) => st.startsWith("/export"));
    const versionLines = (n: number) => `${state.version}\r\n`.repeat(n);
    if (exportAt < 0) return finish(ch, versionLines(statements.length), 0);
    const hideSensitive = !v6 && statements[exportAt] === "/export";
    const answer = () => Buffer.concat([Buffer.from(versionLines(exportAt), "utf8"), this.exportBytes(state, hideSensitive)]);
    this.answerExport(state, ch, conn, answer);
  }

  /** The export as the device's fault shapes it (none: the whole export and exit 0). */
  private answerExport(state: DeviceState, ch: ServerChannel, conn: Connection, answer: () => Buffer): void {
    switch (state.fault) {
      case "empty":
        return finish(ch, "", 0);
      case "bad_command":
        return finish(ch, "bad command name export (line 1 column 2)\r\n", 0);
      case "garbage": {
        const junk = randomBytes(4096);
        junk[17] = 0;
        junk[18] = 0xff; // never valid UTF-8
        return finish(ch, junk, 0);
      }
      case "huge":
        return this.streamLines(state, ch, HUGE_LIMIT);
      case "endless":
        return this.streamLines(state, ch, Infinity);
      case "long_line":
        return finish(ch, `${exportHeaderLine(state.version, new Date())}\r\n/system note\r\nset note="${"x".repeat(LONG_LINE)}"\r\n`, 0);
      case "rekey_new_host_key":
        return rekeyWithNewKey(conn, () => finish(ch, answer(), 0));
      case "nonzero_exit":
        return finish(ch, answer(), 1);
      case "truncate": {
        const bytes = answer();
        ch.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
        return void ch.close(); // no exit status: the device went away mid-export
      }
      case "drop": {
        const bytes = answer();
        ch.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
        return void this.later(20, () => conn.end()); // the TCP connection is cut mid-export
      }
      case "slow":
        return this.dribble(ch, answer());
      case "byte_at_a_time":
        return this.dribble(ch, answer(), 0, 1, 5);
      default:
        finish(ch, answer(), 0);
    }
  }

  /** `slow`: 256-byte chunks 50 ms apart; `byte_at_a_time`: 1 byte every 5 ms. */
  private dribble(ch: ServerChannel, bytes: Buffer, at = 0, chunk = 256, pauseMs = 50): void {
    if (this.stopped || ch.destroyed) return;
    if (at >= bytes.length) return finish(ch, "", 0);
    ch.write(bytes.subarray(at, at + chunk));
    this.later(pauseMs, () => this.dribble(ch, bytes, at + chunk, chunk, pauseMs));
  }

  /** `huge`, `endless`: valid-looking export lines up to `limit` bytes, written as the client reads them. */
  private streamLines(state: DeviceState, ch: ServerChannel, limit: number): void {
    const line = 'add action=accept chain=forward comment="simulated huge export line padding padding"\r\n';
    const block = Buffer.from(line.repeat(Math.ceil(65536 / line.length)), "utf8");
    let sent = 0;
    let closed = false;
    ch.on("close", () => (closed = true));
    ch.write(Buffer.from(exportHeaderLine(state.version, new Date()) + "\r\n/ip firewall filter\r\n", "utf8"));
    const pump = () => {
      while (!closed && !this.stopped) {
        if (sent >= limit) return finish(ch, "", 0);
        sent += block.length;
        if (!ch.write(block)) return void ch.once("drain", pump);
      }
    };
    pump();
  }

  async addDevice(spec: SimDeviceSpec): Promise<void> {
    if (this.states.has(spec.id)) throw new RosarchiveError("bad_parameter", `duplicate simulated device '${spec.id}'`);
    const publicKeys = (spec.publicKeys ?? []).map((k) => utils.parseKey(k));
    if (publicKeys.some((k) => k instanceof Error)) {
      throw new RosarchiveError("bad_parameter", `simulated device '${spec.id}': unusable public key`);
    }
    const state = {
      spec,
      exportText: spec.exportText,
      version: spec.version,
      password: spec.password,
      fault: spec.fault ?? null,
      delayMs: spec.delayMs ?? 0,
      publicKeys,
      info: { id: spec.id, port: 0, hostKeyFingerprint: "", hostPublicKey: "", stats: { connections: 0, authAttempts: 0, execs: 0, commands: [] } },
      cache: new Map(),
    } as Omit<DeviceState, "ssh" | "net"> as DeviceState;
    state.ssh = this.makeSshServer(state, spec.hostKey ?? usableKeyPair().private);
    // Our own listener hands sockets to the current ssh2 Server, so a host key change needs no re-listen.
    state.net = createServer((sock) => {
      this.sockets.add(sock);
      sock.on("close", () => this.sockets.delete(sock));
      sock.on("error", noop);
      state.info.stats.connections++;
      // hang_connect: TCP is up, SSH never starts (a device stuck before its banner).
      if (state.fault === "hang_connect") return;
      state.ssh.injectSocket(sock);
    });
    await new Promise<void>((resolve, reject) => {
      state.net.once("error", reject);
      state.net.listen(spec.port ?? 0, this.host, () => {
        state.net.removeListener("error", reject);
        resolve();
      });
    });
    state.info.port = (state.net.address() as { port: number }).port;
    this.states.set(spec.id, state);
    this.devices.set(spec.id, state.info);
  }

  setExport(id: string, text: string): void {
    const s = this.get(id);
    s.exportText = text;
    s.cache.clear();
  }

  setFault(id: string, fault: SimFault | null): void {
    this.get(id).fault = fault;
  }

  setHostKey(id: string, pem: string): string {
    const s = this.get(id);
    s.ssh = this.makeSshServer(s, pem);
    return s.info.hostKeyFingerprint;
  }

  setPassword(id: string, password: string): void {
    this.get(id).password = password;
  }

  setVersion(id: string, version: string): void {
    const s = this.get(id);
    s.version = version;
    s.cache.clear();
  }

  setDelay(id: string, delayMs: number): void {
    this.get(id).delayMs = delayMs;
  }

  execCount(id: string): number {
    return this.get(id).info.stats.execs;
  }

  peakConcurrentExecs(): number {
    return this.execsPeak;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const sock of this.sockets) sock.destroy();
    await Promise.all([...this.states.values()].map((s) => new Promise<void>((resolve) => s.net.close(() => resolve()))));
  }
}
