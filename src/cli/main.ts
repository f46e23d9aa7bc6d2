import { existsSync } from "node:fs";
import { asRosarchiveError } from "../common/index.js";
import { ConfigError } from "../config/index.js";
import { println, wantsHelp, type Command, type CommandIo } from "./command.js";
import { checkConfigCommand, hostkeyCommand } from "./config-commands.js";
import { decryptCommand, keygenCommand, tokenCommand } from "./key-commands.js";
import { backupCommand, importCommand } from "./snapshot-commands.js";
import { serveCommand } from "./serve.js";
import { demoCommand } from "./demo.js";
import { auditCommand } from "./audit-command.js";

const COMMANDS: readonly Command[] = [
  serveCommand,
  demoCommand,
  checkConfigCommand,
  backupCommand,
  importCommand,
  keygenCommand,
  tokenCommand,
  decryptCommand,
  hostkeyCommand,
  auditCommand,
];

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
  const full: CommandIo = {
    argv: argv.slice(1),
    env: io.env ?? process.env,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    stdin: io.stdin ?? process.stdin,
  };
  let name = argv[0];
  if (name === "start") {
    // `npm start`: a real fleet when ./config.yaml exists, else the embedded demo (SPEC §2).
    if (existsSync("config.yaml")) return main(["serve", "-c", "config.yaml", ...argv.slice(1)], io);
    return main(["demo", ...argv.slice(1)], io);
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    println(name ? full.stdout : full.stderr, usage());
    return name ? 0 : 1;
  }
  if (name === "--version") {
    println(full.stdout, "rosarchive 0.1.0");
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    println(full.stderr, `rosarchive: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 1;
  }
  if (wantsHelp(full.argv)) {
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
