import path from "node:path";
import { RosarchiveError } from "../common/index.js";
import { restoreStateBackup, STATE_FORMAT, writeStateBackup } from "../store/index.js";
import { expectPositionals, parse, println, type Command } from "./command.js";
import { readConfigFile } from "./load.js";
import { packageVersion } from "./version.js";

const STATE_USAGE = `usage: rosarchive state backup -c FILE > state.tar
       rosarchive state restore -c FILE < state.tar

backup   writes a tar of state_dir to stdout: host-key pins and device state,
         the secret index and its key, the webhook outbox and dead letters,
         the audit logs and anything else the service keeps there. Safe while
         serve runs: each file is copied whole, logs up to their last line.
restore  reads such a tar from stdin into state_dir, which must be empty or
         absent (stop the service and move the old one aside first). The
         archive is checked whole (every file against its manifest) before
         anything is put in place; a backup of an older release is migrated,
         one of a newer release is refused.

The repositories (data_dir) are not in it: they are Git, back them up with
git (git clone --mirror, or a copy of data_dir).`;

export const stateCommand: Command = {
  name: "state",
  summary: "state backup / state restore: a tar of state_dir",
  usage: STATE_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" } }, STATE_USAGE);
    const action = positionals[0];
    if (action !== "backup" && action !== "restore") throw new RosarchiveError("bad_parameter", `unknown state action ${JSON.stringify(action ?? "")}\n\n${STATE_USAGE}`);
    expectPositionals(positionals, [action], STATE_USAGE);
    const config = readConfigFile(values.config);
    if (action === "backup") {
      if ((io.stdout as { isTTY?: boolean }).isTTY) throw new RosarchiveError("bad_parameter", "stdout is a terminal: redirect the backup to a file (rosarchive state backup -c FILE > state.tar)");
      const r = await writeStateBackup(config.stateDir, io.stdout, { now: Date.now, version: packageVersion() });
      println(io.stderr, `state backup of ${config.stateDir}: ${r.files} files, ${r.bytes} bytes (state format ${r.format})`);
      const key = config.encryption.indexKeyFile;
      if (path.relative(config.stateDir, key).startsWith("..") || path.isAbsolute(path.relative(config.stateDir, key))) {
        println(io.stderr, `note: the secret index key ${key} (encryption.index_key_file) is outside state_dir and not in this backup: back it up beside it`);
      }
      return 0;
    }
    if ((io.stdin as { isTTY?: boolean }).isTTY) throw new RosarchiveError("bad_parameter", "stdin is a terminal: feed the backup in (rosarchive state restore -c FILE < state.tar)");
    const r = await restoreStateBackup(config.stateDir, io.stdin as AsyncIterable<Buffer>);
    println(io.stderr, `restored ${r.files} files, ${r.bytes} bytes into ${config.stateDir} (state format ${r.format}${r.format < STATE_FORMAT ? ", migrated" : ""})`);
    return 0;
  },
};
