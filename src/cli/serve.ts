import { RosarchiveError } from "../common/index.js";
import { existsSync } from "node:fs";
import { checkEnvironment, ConfigError } from "../config/index.js";
import { createLogger } from "../observe/index.js";
import { expectPositionals, parse, type Command } from "./command.js";
import { readConfigFile } from "./load.js";
import { startService } from "./start-service.js";

const SERVE_USAGE = `usage: rosarchive serve -c FILE

Runs the scheduler, the HTTP API, git clone over HTTP and webhook delivery in
one process. SIGHUP reloads FILE (a bad file is refused, the old one stays);
SIGTERM or Ctrl-C lets running backups finish, then exits.`;

export const serveCommand: Command = {
  name: "serve",
  summary: "scheduler, API, git HTTP and webhooks in one process",
  usage: SERVE_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" } }, SERVE_USAGE);
    expectPositionals(positionals, [], SERVE_USAGE);
    if (!values.config) throw new RosarchiveError("bad_parameter", `missing -c FILE\n\n${SERVE_USAGE}`);
    const config = readConfigFile(values.config);
    if (config.role === "collector") throw new RosarchiveError("bad_parameter", `${values.config} is a collector file (role: collector): run it with \`rosarchive collector -c\`; serve needs the core's file`);
    // The same check as a reload: refuse to start without the env variables and files the config names.
    const problems = checkEnvironment(config, io.env, existsSync);
    if (problems.length > 0) throw new ConfigError(problems);
    const log = createLogger({ level: config.logLevel });
    const service = await startService(config, io.env, { log });
    return waitForSignals(service, () => readConfigFile(values.config), log);
  },
};

/** SIGHUP reloads, SIGTERM/SIGINT stop cleanly; resolves with the exit code. */
export function waitForSignals(
  service: { reload(c: ReturnType<typeof readConfigFile>): Promise<void>; close(): Promise<void> },
  reread: () => ReturnType<typeof readConfigFile>,
  log: ReturnType<typeof createLogger>,
): Promise<number> {
  return new Promise((resolve) => {
    const refused = (err: unknown) => {
      const why = err instanceof ConfigError ? err.problems.map((p) => `${p.path}: ${p.message}`).join("; ") : (err as Error).message;
      log.error({ event: "config.reload_refused", msg: `${why} (the running config stays in force)` });
    };
    const onHup = () => {
      try {
        service.reload(reread()).catch(refused);
      } catch (err) {
        refused(err);
      }
    };
    let stopping = false;
    const onStop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ event: "serve.stopping", signal });
      void service.close().then(
        () => {
          process.off("SIGHUP", onHup);
          resolve(0);
        },
        () => resolve(1),
      );
    };
    process.on("SIGHUP", onHup);
    process.once("SIGTERM", () => onStop("SIGTERM"));
    process.once("SIGINT", () => onStop("SIGINT"));
  });
}
