import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { RosarchiveError } from "../common/index.js";
import { checkEnvironment, ConfigError, loadConfig } from "../config/index.js";
import { acceptHostKey } from "../pipeline/index.js";
import { buildContext } from "./build-context.js";
import { expectPositionals, expectTenantDevice, parse, println, type Command } from "./command.js";
import { findDevice, readConfigFile } from "./load.js";

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

const HOSTKEY_USAGE = `usage: rosarchive hostkey accept -c FILE TENANT/DEVICE

Clears a host-key block after you checked the device's new key; the next
contact pins the key it presents.`;

export const hostkeyCommand: Command = {
  name: "hostkey",
  summary: "hostkey accept: clear a host-key block",
  usage: HOSTKEY_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" } }, HOSTKEY_USAGE);
    if (positionals[0] !== "accept") throw new RosarchiveError("bad_parameter", `unknown hostkey action ${JSON.stringify(positionals[0] ?? "")}\n\n${HOSTKEY_USAGE}`);
    expectTenantDevice(positionals[1], HOSTKEY_USAGE);
    expectPositionals(positionals, ["accept", "TENANT/DEVICE"], HOSTKEY_USAGE);
    const config = readConfigFile(values.config);
    const device = findDevice(config, positionals[1]);
    const ctx = buildContext(config, io.env);
    const before = await ctx.states.get(device.tenant, device.id);
    await acceptHostKey(ctx, device);
    println(io.stdout, `${device.tenant}/${device.id}: host key ${before.host_key ?? "(none)"} cleared; the next contact pins ${before.presented_host_key ?? "the key the device presents"}`);
    return 0;
  },
};
