import { existsSync } from "node:fs";
import { RosarchiveError, assertId } from "../common/index.js";
import { sourceStatus, SourceStateStore } from "../inventory/index.js";
import { parse, println, type Command } from "./command.js";
import { findTenant, readConfigFile } from "./load.js";

const INVENTORY_USAGE = `usage: rosarchive inventory status  -c FILE TENANT
       rosarchive inventory confirm -c FILE TENANT SOURCE [--digest D] [--wait SECONDS]

status   prints each inventory source of TENANT as the service last saw it:
         state, last sync, devices, and any refused removal with its digest.
confirm  confirms SOURCE's refused removal (a sync that would remove more than
         its max_removal of the tenant's devices): the running serve applies
         that list, retires the devices it drops, and records it in the audit
         log (actor cli:<user>). With --digest, only that exact removal is
         confirmed. Waits up to --wait seconds (default 15) for serve to apply
         it; if no serve runs, it is applied when serve next starts.`;

export const inventoryCommand: Command = {
  name: "inventory",
  summary: "inventory status | confirm: sources and refused removals",
  usage: INVENTORY_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" }, digest: { type: "string" }, wait: { type: "string" } }, INVENTORY_USAGE);
    const [action, tenantArg, sourceArg, ...extra] = positionals;
    if (action !== "status" && action !== "confirm") throw new RosarchiveError("bad_parameter", `unknown inventory action ${JSON.stringify(action ?? "")}\n\n${INVENTORY_USAGE}`);
    const wanted = action === "status" ? 1 : 2;
    if ([tenantArg, sourceArg].filter((x) => x !== undefined).length !== wanted || extra.length > 0) throw new RosarchiveError("bad_parameter", `inventory ${action} takes ${action === "status" ? "TENANT" : "TENANT SOURCE"}\n\n${INVENTORY_USAGE}`);
    const config = readConfigFile(values.config);
    const tenant = findTenant(config, tenantArg);
    const store = new SourceStateStore(config.stateDir);
    const sources = config.tenants.get(tenant)!.inventory;

    if (action === "status") {
      if (sources.length === 0) println(io.stdout, `${tenant}: no inventory sources in the config`);
      for (const s of sources) {
        const st = sourceStatus(s, await store.get(tenant, s.name), null);
        println(io.stdout, `${s.name} (${s.type}): ${st.state}, ${st.devices} devices, last sync ${st.last_sync ?? "never"}${st.last_error ? `, error ${st.last_error.code}: ${st.last_error.message.split("\n")[0]}` : ""}`);
        const r = st.refused_removal;
        if (r) println(io.stdout, `  refused removal of ${r.count} of ${r.tenant_devices} devices since ${r.since} (digest ${r.digest}): ${r.devices.slice(0, 20).join(", ")}${r.count > 20 ? ", ..." : ""}`);
      }
      return 0;
    }

    const source = assertId("source", sourceArg);
    if (!sources.some((s) => s.name === source)) throw new RosarchiveError("not_found", `tenant ${tenant} has no inventory source ${source} in the config`);
    const st = await store.get(tenant, source);
    if (!st.pending) throw new RosarchiveError("conflict", `inventory source ${source} has no refused removal to confirm`);
    if (values.digest !== undefined && values.digest !== st.pending.digest) {
      throw new RosarchiveError("conflict", `the refused removal of ${source} is now ${st.pending.digest} (${st.pending.removed.length} devices), not ${values.digest}: look at it again with inventory status`);
    }
    const waitS = values.wait === undefined ? 15 : Number(values.wait);
    if (!Number.isInteger(waitS) || waitS < 0 || waitS > 3600) throw new RosarchiveError("bad_parameter", "--wait: a number of seconds from 0 to 3600");
    println(io.stdout, `confirming the removal of ${st.pending.removed.length} devices from ${tenant} (source ${source}, digest ${st.pending.digest}):`);
    println(io.stdout, `  ${st.pending.removed.join(", ")}`);
    await store.writeConfirmation(tenant, source, { digest: st.pending.digest, actor: `cli:${io.env.USER ?? io.env.LOGNAME ?? "unknown"}`, time: new Date().toISOString() });
    const file = store.confirmationFile(tenant, source);
    const deadline = Date.now() + waitS * 1000;
    while (existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    if (existsSync(file)) {
      println(io.stdout, `written; no running serve has applied it yet: it applies (and is audited) when serve reads ${source} next`);
      return 0;
    }
    const after = await store.get(tenant, source);
    if (after.pending !== null) {
      println(io.stderr, after.pending.digest === st.pending.digest ? "serve did not apply it (see its log: inventory.confirmation_failed)" : `not applied: the refused removal changed meanwhile (now ${after.pending.removed.length} devices, digest ${after.pending.digest})`);
      return 1;
    }
    println(io.stdout, `applied by the running serve; recorded in the audit log`);
    return 0;
  },
};
