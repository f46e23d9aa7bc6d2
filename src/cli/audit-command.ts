import { RosarchiveError } from "../common/index.js";
import { AuditLog } from "../store/index.js";
import { expectPositionals, parse, println, type Command } from "./command.js";
import { findTenant, readConfigFile } from "./load.js";

const AUDIT_USAGE = `usage: rosarchive audit verify -c FILE TENANT

Checks the tenant's audit log hash chain (state_dir/audit/TENANT.jsonl).
Exit 0 when intact; exit 1 naming the first line that was changed or removed.`;

export const auditCommand: Command = {
  name: "audit",
  summary: "audit verify: check the audit log's hash chain",
  usage: AUDIT_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" } }, AUDIT_USAGE);
    if (positionals[0] !== "verify") throw new RosarchiveError("bad_parameter", `unknown audit action ${JSON.stringify(positionals[0] ?? "")}\n\n${AUDIT_USAGE}`);
    expectPositionals(positionals, ["verify", "TENANT"], AUDIT_USAGE);
    const config = readConfigFile(values.config);
    const tenant = findTenant(config, positionals[1]);
    const r = await new AuditLog(config.stateDir).verify(tenant);
    if (r.ok) {
      println(io.stdout, `${tenant}: audit chain intact (${r.entries} entries)`);
      return 0;
    }
    println(io.stderr, `${tenant}: audit chain broken at line ${r.brokenAt}: that entry was edited, removed or reordered`);
    return 1;
  },
};
