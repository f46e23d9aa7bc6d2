import { existsSync } from "node:fs";
import { asRosarchiveError, RosarchiveError } from "../common/index.js";
import { ConfigError } from "../config/index.js";
import { expectPositionals, parse, println, wantsHelp, type Command, type CommandIo } from "./command.js";
import { packageVersion } from "./version.js";
import { applyHeapPolicy } from "./heap-policy.js";
import { setGitSearchPath } from "../archive/git.js";

/** Commands load on use: `keygen` or `decrypt` need not pull in ssh2, express and the API. */
const COMMANDS: ReadonlyArray<{ name: string; summary: string; load: () => Promise<Command> }> = [
  { name: "start", summary: "serve -c config.yaml when ./config.yaml exists, else the demo (what npm start runs)", load: async () => startCommand },
  { name: "serve", summary: "scheduler, API, git HTTP and webhooks in one process", load: async () => (await import("./serve.js")).serveCommand },
  { name: "collector", summary: "a remote collector: takes jobs from NATS, collects and seals near the routers", load: async () => (await import("./collector.js")).collectorCommand },
  { name: "demo", summary: "simulated routers + a real serve, ready to explore", load: async () => (await import("./demo.js")).demoCommand },
  { name: "check-config", summary: "validate a config file", load: async () => (await import("./config-commands.js")).checkConfigCommand },
  { name: "backup", summary: "collect one device now", load: async () => (await import("./snapshot-commands.js")).backupCommand },
  { name: "import", summary: "archive an export taken elsewhere", load: async () => (await import("./snapshot-commands.js")).importCommand },
  { name: "migrate", summary: "bring an Oxidized or RANCID history into the archive", load: async () => (await import("./migrate-command.js")).migrateCommand },
  { name: "keygen", summary: "print a new age identity and its recipient", load: async () => (await import("./key-commands.js")).keygenCommand },
  { name: "token", summary: "print a new API token and its sha256", load: async () => (await import("./key-commands.js")).tokenCommand },
  { name: "decrypt", summary: "restore the plaintext export from an archived file", load: async () => (await import("./key-commands.js")).decryptCommand },
  { name: "reseal", summary: "re-seal a tenant's current snapshots to its current recipients", load: async () => (await import("./reseal-command.js")).resealCommand },
  { name: "hostkey", summary: "hostkey accept: pin a checked new host key and clear the block", load: async () => (await import("./block-commands.js")).hostkeyCommand },
  { name: "unblock", summary: "clear an auth_failed block", load: async () => (await import("./block-commands.js")).unblockCommand },
  { name: "audit", summary: "audit verify: check the audit log's hash chain", load: async () => (await import("./audit-command.js")).auditCommand },
  { name: "inventory", summary: "inventory status | confirm: sources and refused removals", load: async () => (await import("./inventory-command.js")).inventoryCommand },
  { name: "healthz", summary: "check that the configured service answers /healthz", load: async () => (await import("./healthz-command.js")).healthzCommand },
  { name: "state", summary: "state backup / state restore: a tar of state_dir", load: async () => (await import("./state-command.js")).stateCommand },
  { name: "status", summary: "print the fleet state of a tenant", load: async () => (await import("./status-command.js")).statusCommand },
  { name: "version", summary: "print the version (also --version)", load: async () => versionCommand },
  { name: "help", summary: "help COMMAND: that command's usage (also COMMAND --help)", load: async () => helpCommand },
  { name: "policy", summary: "policy run: evaluate the policy checks of a tenant now", load: async () => (await import("./policy-command.js")).policyCommand },
];

const START_USAGE = `usage: rosarchive start [OPTIONS]

What \`npm start\` runs: \`rosarchive serve -c config.yaml\` when ./config.yaml
exists in the current folder, else \`rosarchive demo\`. OPTIONS go to that command
(e.g. \`rosarchive start --port 0\` for the demo).`;

/** `start`: a real fleet when ./config.yaml exists, else the embedded demo. */
const startCommand: Command = {
  name: "start",
  summary: "serve -c config.yaml, or the demo",
  usage: START_USAGE,
  run: (io) => (existsSync("config.yaml") ? main(["serve", "-c", "config.yaml", ...io.argv], io) : main(["demo", ...io.argv], io)),
};

const versionCommand: Command = {
  name: "version",
  summary: "print the version",
  usage: "usage: rosarchive version\n\nPrints the version of this rosarchive (also: rosarchive --version).",
  async run(io) {
    expectPositionals(parse(io.argv, {}, this.usage).positionals, [], this.usage);
    println(io.stdout, `rosarchive ${packageVersion()}`);
    return 0;
  },
};

const helpCommand: Command = {
  name: "help",
  summary: "a command's usage",
  usage: "usage: rosarchive help [COMMAND]\n\nPrints the list of commands, or COMMAND's usage (the same as rosarchive COMMAND --help).",
  async run(io) {
    const { positionals } = parse(io.argv, {}, this.usage);
    expectPositionals(positionals, ["COMMAND"], this.usage, 1);
    if (positionals.length === 0) {
      println(io.stdout, usage());
      return 0;
    }
    const entry = COMMANDS.find((c) => c.name === positionals[0]);
    if (!entry) throw new RosarchiveError("bad_parameter", `unknown command ${JSON.stringify(positionals[0])}\n\n${usage()}`);
    println(io.stdout, (await entry.load()).usage);
    return 0;
  },
};

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "rosarchive: Git-backed configuration archive for MikroTik RouterOS fleets",
    "",
    "usage: rosarchive COMMAND [options]   (rosarchive COMMAND --help for details)",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

/** Entry point: returns the exit code. The only place that reads argv and process.env. */
export async function main(argv: readonly string[], io: Partial<CommandIo> = {}): Promise<number> {
  applyHeapPolicy();
  setGitSearchPath((io.env ?? process.env).PATH);
  const full: CommandIo = {
    argv: argv.slice(1),
    env: io.env ?? process.env,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    stdin: io.stdin ?? process.stdin,
  };
  let name = argv[0];
  if (!name || name === "--help" || name === "-h") {
    println(name ? full.stdout : full.stderr, usage());
    return name ? 0 : 1;
  }
  if (name === "--version") name = "version";
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    println(full.stderr, `rosarchive: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 1;
  }
  const command = await entry.load();
  // `start` passes its options on (the demo's --help included) unless asked for its own usage alone.
  if (name === "start" ? full.argv.length === 1 && wantsHelp(full.argv) : wantsHelp(full.argv)) {
    println(full.stdout, command.usage);
    return 0;
  }
  try {
    return await command.run(full);
  } catch (raw) {
    if (raw instanceof ConfigError) {
      for (const p of raw.problems) println(full.stderr, `${p.path}: ${p.message}`);
      return 1;
    }
    const err = asRosarchiveError(raw);
    println(full.stderr, `rosarchive ${name}: ${err.message}`);
    return 1;
  }
}
