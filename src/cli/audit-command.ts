import { RosarchiveError } from "../common/index.js";
import { AuditLog, checkStateFormat } from "../store/index.js";
import { expectPositionals, parse, println, type Command } from "./command.js";
import { findTenant, readConfigFile } from "./load.js";

const AUDIT_USAGE = `usage: rosarchive audit verify -c FILE TENANT [--from N]

Checks the tenant's audit log: every segment under state_dir/audit/TENANT/
(000001.jsonl, 000002.jsonl, ...) in order, every line linked to the one
before it, across segment boundaries, from the first entry ever written.
Exit 0 when intact; exit 1 naming the segment and line where the chain
breaks (an entry edited, removed, inserted or reordered, or a segment
missing).

--from N   start at segment N, trusting the link its first line names: for
           a log whose older segments were archived elsewhere and removed.`;

export const auditCommand: Command = {
  name: "audit",
  summary: "audit verify: check the audit log's hash chain",
  usage: AUDIT_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" }, from: { type: "string" } }, AUDIT_USAGE);
    if (positionals[0] !== "verify") throw new RosarchiveError("bad_parameter", `unknown audit action ${JSON.stringify(positionals[0] ?? "")}\n\n${AUDIT_USAGE}`);
    expectPositionals(positionals, ["verify", "TENANT"], AUDIT_USAGE);
    if (values.from !== undefined && !/^[1-9][0-9]{0,8}$/.test(values.from)) throw new RosarchiveError("bad_parameter", `--from ${JSON.stringify(values.from.slice(0, 20))}: must be a segment number (1, 2, ...)`);
    const config = readConfigFile(values.config);
    const tenant = findTenant(config, positionals[1]);
    await checkStateFormat(config.stateDir);
    const r = await new AuditLog(config.stateDir).verify(tenant, values.from ? { from: Number(values.from) } : {});
    const scope = r.from === 1 ? "from its first entry" : `from segment ${r.from} (earlier segments not checked)`;
    if (r.ok) {
      println(io.stdout, `${tenant}: audit chain intact ${scope}: ${r.entries} entries in ${r.segments} segment${r.segments === 1 ? "" : "s"}`);
      return 0;
    }
    const at = r.brokenAt!;
    println(io.stderr, `${tenant}: audit chain broken in ${at.segment}${at.line > 0 ? ` at line ${at.line}` : ""}: ${r.reason}`);
    return 1;
  },
};
