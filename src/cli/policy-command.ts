import { RosarchiveError } from "../common/index.js";
import { createLogger } from "../observe/index.js";
import { PolicyRunner, PolicyStore } from "../policy/index.js";
import { AuditLog } from "../store/index.js";
import { buildContext } from "./build-context.js";
import { parse, println, type Command } from "./command.js";
import { findTenant, readConfigFile } from "./load.js";
import { createNotifier } from "./outbox.js";

const POLICY_USAGE = `usage: rosarchive policy run -c FILE TENANT

Evaluates the tenant's policy checks (tenants.TENANT.policy and policy_file)
against every device's newest archived snapshot, keeps the results in
state_dir/policy/TENANT/ and queues a policy.violated or policy.resolved
event for every check whose verdict changed (a running serve delivers them).
Prints a JSON summary; exit 0 once every device is evaluated, whatever the
verdicts, 1 when the run could not be done.`;

export const policyCommand: Command = {
  name: "policy",
  summary: "policy run: evaluate the policy checks of a tenant now",
  usage: POLICY_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" } }, POLICY_USAGE);
    if (positionals[0] !== "run") throw new RosarchiveError("bad_parameter", `unknown policy action ${JSON.stringify(positionals[0] ?? "")}\n\n${POLICY_USAGE}`);
    const config = readConfigFile(values.config);
    const tenant = findTenant(config, positionals[1]);
    const checks = config.tenants.get(tenant)!.policy.length;
    if (checks === 0) throw new RosarchiveError("bad_parameter", `tenant ${tenant} has no policy checks (tenants.${tenant}.policy or policy_file)`);
    const log = createLogger({ level: config.logLevel });
    const notifier = createNotifier(() => config, io.env, log);
    const ctx = buildContext(config, io.env, { log, events: notifier.outbox });
    const runner = new PolicyRunner({ config: () => config, repos: ctx.repos, store: new PolicyStore(config.stateDir), events: notifier.outbox, log, clock: ctx.clock, ids: ctx.ids, sectionOf: ctx.platform.sectionOf });
    try {
      const devices = config.tenants.get(tenant)!.devices.length;
      if ((io.stderr as { isTTY?: boolean }).isTTY) println(io.stderr, `evaluating ${checks} checks on ${devices} devices of ${tenant}…`);
      const summary = await runner.run(tenant);
      await new AuditLog(config.stateDir).append(tenant, { actor: "cli", role: null, ip: null, action: "policy.run", device: null, details: { ...summary } });
      println(io.stdout, JSON.stringify(summary));
      return 0;
    } finally {
      await runner.idle();
      await ctx.repos.closeAll();
      await notifier.hooks.idle();
    }
  },
};
