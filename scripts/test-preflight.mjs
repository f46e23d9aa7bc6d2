#!/usr/bin/env node
// Before the tests: the real tools they drive must be on this machine. As root on
// Debian they are installed (apt-get update first); anywhere else the run stops at
// once with the one command that installs what is missing.
import { accessSync, constants, mkdirSync } from "node:fs";
import { spawnSync } from "node:child_process";

/** What the suite runs for real, and the Debian package that brings it. */
const NEEDS = [
  { what: "git", path: null, command: "git", pkg: "git" },
  { what: "age", path: null, command: "age", pkg: "age" },
  { what: "OpenSSH server (the real-sshd tests)", path: "/usr/sbin/sshd", command: null, pkg: "openssh-server" },
  { what: "ssh-keygen", path: null, command: "ssh-keygen", pkg: "openssh-client" },
  { what: "pgrep", path: null, command: "pgrep", pkg: "procps" },
  { what: "promtool (metrics format and alert rules)", path: null, command: "promtool", pkg: "prometheus" },
  { what: "nginx (the reverse-proxy example of deploy/nginx)", path: "/usr/sbin/nginx", command: null, pkg: "nginx-light" },
  { what: "openssl (the TLS tests make their own CA and certificates)", path: null, command: "openssl", pkg: "openssl" },
  { what: "chromium (the web UI's browser tests)", path: "/usr/bin/chromium", command: null, pkg: "chromium" },
  { what: "nats-server (remote collectors)", path: null, command: "nats-server", pkg: "nats-server" },
];

const onPath = (command) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
const present = (n) => {
  if (n.command) return onPath(n.command);
  try {
    accessSync(n.path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const missing = NEEDS.filter((n) => !present(n));
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (missing.length > 0) {
  const pkgs = [...new Set(missing.map((n) => n.pkg))];
  const install = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(" ")}`;
  if (!isRoot || !onPath("apt-get")) {
    console.error(`The tests drive real tools that this machine lacks: ${missing.map((n) => n.what).join(", ")}.`);
    console.error(`Install them (Debian/Ubuntu), then run npm test again:\n\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${pkgs.join(" ")}\n`);
    process.exit(1);
  }
  console.error(`test preflight: installing ${pkgs.join(" ")} (apt-get update first)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", "--no-install-recommends", ...pkgs]]) {
    const r = spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env });
    if (r.status !== 0) {
      console.error(`test preflight: apt-get ${args[0]} failed (exit ${r.status}); run as root: ${install}`);
      process.exit(1);
    }
  }
  const still = NEEDS.filter((n) => !present(n));
  if (still.length > 0) {
    console.error(`test preflight: still missing after the install: ${still.map((n) => n.what).join(", ")}`);
    process.exit(1);
  }
}
// sshd refuses to start without its privilege-separation directory.
if (isRoot) mkdirSync("/run/sshd", { recursive: true });
