import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";
import { checkEnvironment, ConfigError, loadConfig } from "../config/index.js";
import { expectPositionals, parse, println, type Command } from "./command.js";

const CHECK_USAGE = `usage: rosarchive check-config -c FILE

Validates the config: exit 0, or exit 1 naming each bad key path and why.
Also checks that the environment variables and files it names exist, in THIS
shell's environment: a running serve checks its own environment again when
it reloads (SIGHUP) and refuses a reload that it could not use.`;

export const checkConfigCommand: Command = {
  name: "check-config",
  summary: "validate a config file",
  usage: CHECK_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" } }, CHECK_USAGE);
    expectPositionals(positionals, [], CHECK_USAGE);
    if (!values.config) throw new RosarchiveError("bad_parameter", `missing -c FILE\n\n${CHECK_USAGE}`);
    const file = path.resolve(values.config);
    if (!existsSync(file)) throw new RosarchiveError("bad_parameter", `config file ${file} does not exist`);
    try {
      const config = loadConfig(readFileSync(file, "utf8"), { baseDir: path.dirname(file), sourcePath: file });
      const problems = checkEnvironment(config, io.env, existsSync);
      if (problems.length > 0) {
        for (const p of problems) println(io.stderr, `${p.path}: ${p.message}`);
        return 1;
      }
      const devices = [...config.tenants.values()].reduce((n, t) => n + t.devices.length, 0);
      println(io.stdout, `${file}: ok (${config.tenants.size} tenants, ${devices} devices; secret sources checked in this shell's environment)`);
      return 0;
    } catch (err) {
      if (err instanceof ConfigError) {
        for (const p of err.problems) println(io.stderr, `${p.path}: ${p.message}`);
        return 1;
      }
      throw err;
    }
  },
};
