import { parseArgs, type ParseArgsConfig } from "node:util";
import { RosarchiveError } from "../common/index.js";

/** What every command receives: argv after the command name, and the process edges. */
export interface CommandIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(io: CommandIo): Promise<number>;
}

export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(argv: readonly string[], options: T, usage: string) {
  try {
    return parseArgs({ args: [...argv], options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new RosarchiveError("bad_parameter", `${(err as Error).message}\n\n${usage}`);
  }
}

/**
 * Checks the positional arguments against what the command takes: a usage
 * error naming what is missing or extra, never a half-understood command.
 */
export function expectPositionals(positionals: readonly string[], names: readonly string[], usage: string, optional = 0): void {
  const required = names.length - optional;
  if (positionals.length < required) {
    throw new RosarchiveError("bad_parameter", `missing ${names.slice(positionals.length, required).join(" ")}\n\n${usage}`);
  }
  if (positionals.length > names.length) {
    throw new RosarchiveError("bad_parameter", `unexpected argument ${JSON.stringify(positionals[names.length]!.slice(0, 80))}\n\n${usage}`);
  }
}

/** `TENANT/DEVICE` as the command's first argument: checked before anything runs. */
export function expectTenantDevice(spec: string | undefined, usage: string): void {
  if (!spec || !/^[^/]+\/[^/]+$/.test(spec)) {
    throw new RosarchiveError("bad_parameter", `${spec === undefined ? "missing TENANT/DEVICE" : `${JSON.stringify(spec.slice(0, 80))} is not TENANT/DEVICE`}\n\n${usage}`);
  }
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

export function println(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith("\n") ? text : `${text}\n`);
}
