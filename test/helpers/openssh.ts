import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

export const SSHD = "/usr/sbin/sshd";
/** Dedicated account for password auth against the test sshd (root's password is never touched). */
export const OPENSSH_TEST_USER = "rosarchive-test";

export interface SshdOptions {
  /** The export the fake router prints for `/export` and `/export show-sensitive`. */
  readonly exportText: string;
  /** Printed as `<version> (stable)` for `:put [/system resource get version]`. */
  readonly version: string;
  /** Only what old RouterOS v6 speaks: group14-sha1 kex, aes128-cbc, hmac-sha1, an ssh-rsa host key. */
  readonly legacy?: boolean;
  /** More sshd_config lines (a benchmark's fleet behind one sshd raises MaxStartups). */
  readonly extraConfig?: readonly string[];
}

export interface Sshd {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  /** The user to log in as: the dedicated test user when it could be created, else the current user. */
  readonly username: string;
  /** Its password, or null when password auth is not possible here (not root, no useradd). */
  readonly password: string | null;
  /** Client key authorized for every user (OpenSSH private key text). */
  readonly clientPrivateKey: string;
  /** `ssh-keygen -lf hostkey.pub` of the current host key, e.g. `SHA256:...`. */
  fingerprint(): string;
  /** Generates a new host key and restarts sshd on the same port. */
  rotateHostKey(): Promise<void>;
  stop(): Promise<void>;
}

/** True when a real OpenSSH server is installed (Debian openssh-server). */
export function sshdAvailable(): boolean {
  return existsSync(SSHD) && spawnSync("ssh-keygen", ["-?"], { stdio: "ignore" }).error === undefined;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once("error", reject).listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Creates (once) the dedicated test user and gives it a fresh random password; null when that is impossible. */
function ensureTestUser(): string | null {
  if (!isRoot()) return null;
  if (spawnSync("id", ["-u", OPENSSH_TEST_USER], { stdio: "ignore" }).status !== 0) {
    const r = spawnSync("useradd", ["-M", "-d", "/tmp", "-s", "/bin/sh", OPENSSH_TEST_USER], { stdio: "ignore" });
    if (r.status !== 0) return null;
  }
  const password = `T-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}`;
  const r = spawnSync("chpasswd", [], { input: `${OPENSSH_TEST_USER}:${password}\n`, stdio: ["pipe", "ignore", "ignore"] });
  return r.status === 0 ? password : null;
}

/**
 * A real sshd on a free loopback port with its own temp config, host key and
 * authorized keys; a ForceCommand script plays a RouterOS device reading
 * $SSH_ORIGINAL_COMMAND. Stop it with `stop()`.
 */
export async function startSshd(opts: SshdOptions): Promise<Sshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rosarchive-sshd-"));
  chmodSync(dir, 0o755); // the test user's ForceCommand reads the script and the export here
  const keygen = (file: string, type: "ed25519" | "rsa") =>
    execFileSync("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "2048"] : []), "-N", "", "-C", "rosarchive-test", "-f", file], { stdio: "ignore" });
  const hostKey = path.join(dir, "hostkey");
  keygen(hostKey, opts.legacy ? "rsa" : "ed25519");
  const clientKey = path.join(dir, "client");
  keygen(clientKey, "ed25519");
  writeFileSync(path.join(dir, "authorized_keys"), readFileSync(clientKey + ".pub"), { mode: 0o644 });
  writeFileSync(path.join(dir, "export.rsc"), opts.exportText, { mode: 0o644 });
  writeFileSync(path.join(dir, "version"), opts.version, { mode: 0o644 });
  writeFileSync(
    path.join(dir, "router.sh"),
    [
      "#!/bin/sh",
      "# Plays a RouterOS device: the requested command arrives in SSH_ORIGINAL_COMMAND.",
      'case "$SSH_ORIGINAL_COMMAND" in',
      `  ":put [/system resource get version]") printf '%s (stable)\\r\\n' "$(cat '${dir}/version')" ;;`,
      // v6 shows secrets by default and rejects `show-sensitive`.
      `  "/export show-sensitive") case "$(cat '${dir}/version')" in 6.*) printf 'expected end of command (line 1 column 9)\\r\\n'; exit 1 ;; esac; cat '${dir}/export.rsc' ;;`,
      `  "/export") cat '${dir}/export.rsc' ;;`,
      // First contact in one line (RouterOS parses the whole line first: v6 refuses all of it).
      `  ":put [/system resource get version]; /export show-sensitive") case "$(cat '${dir}/version')" in 6.*) printf 'expected end of command (line 1 column 47)\\r\\n'; exit 1 ;; esac; printf '%s (stable)\\r\\n' "$(cat '${dir}/version')"; cat '${dir}/export.rsc' ;;`,
      `  *) printf 'bad command name %s (line 1 column 1)\\r\\n' "\${SSH_ORIGINAL_COMMAND%% *}"; exit 1 ;;`,
      "esac",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );

  const password = ensureTestUser();
  const username = password !== null ? OPENSSH_TEST_USER : os.userInfo().username;
  const port = await freePort();
  const config = path.join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "UsePAM no",
      `PasswordAuthentication ${password !== null ? "yes" : "no"}`,
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      "StrictModes no",
      "PermitRootLogin prohibit-password",
      `ForceCommand ${path.join(dir, "router.sh")}`,
      "AllowTcpForwarding no",
      "X11Forwarding no",
      "PrintMotd no",
      "PrintLastLog no",
      "LogLevel INFO",
      ...(opts.legacy
        ? ["KexAlgorithms diffie-hellman-group14-sha1", "Ciphers aes128-cbc", "MACs hmac-sha1", "HostKeyAlgorithms ssh-rsa"]
        : []),
      ...(opts.extraConfig ?? []),
      "",
    ].join("\n"),
  );
  // Debian's sshd refuses to start without its privilege separation directory.
  if (isRoot()) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  let child: ChildProcess = await spawnSshd(config, port);
  const stopChild = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return {
    host: "127.0.0.1",
    port,
    dir,
    username,
    password,
    clientPrivateKey: readFileSync(clientKey, "utf8"),
    fingerprint: () => execFileSync("ssh-keygen", ["-lf", hostKey + ".pub"], { encoding: "utf8" }).split(" ")[1]!,
    rotateHostKey: async () => {
      await stopChild();
      rmSync(hostKey, { force: true });
      rmSync(hostKey + ".pub", { force: true });
      keygen(hostKey, opts.legacy ? "rsa" : "ed25519");
      child = await spawnSshd(config, port);
    },
    stop: async () => {
      await stopChild();
      if (!process.env.ROSARCHIVE_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts sshd in the foreground and resolves once it listens (its log says so on stderr). */
function spawnSshd(config: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`sshd did not start within 10 s:\n${log}`));
    }, 10000);
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (d: string) => {
      if (log.length < 64 * 1024) log += d;
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}:\n${log}`));
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
