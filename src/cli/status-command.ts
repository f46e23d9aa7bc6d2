import { deviceView } from "../api/routes/devices.js";
import { checkStateFormat, DeviceStateStore } from "../store/index.js";
import { expectPositionals, parse, println, type Command } from "./command.js";
import { findTenant, readConfigWithInventory } from "./load.js";

const STATUS_USAGE = `usage: rosarchive status -c FILE TENANT [--json]

Prints the fleet state of TENANT from state_dir, as the API's device list
shows it: each device's state (ok, failing, blocked and why, never), RouterOS
version, last success, last change and next run. --json prints the API's JSON.`;

const COLUMNS = ["DEVICE", "STATE", "VERSION", "LAST SUCCESS", "LAST CHANGE", "NEXT RUN", "ERROR"] as const;

export const statusCommand: Command = {
  name: "status",
  summary: "print the fleet state of a tenant",
  usage: STATUS_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" }, json: { type: "boolean" } }, STATUS_USAGE);
    expectPositionals(positionals, ["TENANT"], STATUS_USAGE);
    const config = await readConfigWithInventory(values.config);
    const tenant = config.tenants.get(findTenant(config, positionals[0]))!;
    await checkStateFormat(config.stateDir);
    const states = new DeviceStateStore(config.stateDir);
    const devices = await Promise.all(tenant.devices.map(async (d) => deviceView(d, await states.get(tenant.id, d.id))));
    if (values.json) {
      println(io.stdout, JSON.stringify({ tenant: tenant.id, devices }, null, 2));
      return 0;
    }
    const rows = devices.map((d) => [
      d.id,
      d.status,
      d.routeros_version ?? "-",
      d.last_success ?? "-",
      d.last_change ?? "-",
      d.next_run ? d.next_run.replace(/\.\d+Z$/, "Z") : "-",
      d.last_error ? `${d.last_error.code}: ${d.last_error.message}` : "",
    ]);
    const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
    println(io.stdout, [line(COLUMNS), ...rows.map(line)].join("\n"));
    const by = (s: string) => devices.filter((d) => d.status === s).length;
    println(io.stdout, `\n${devices.length} devices: ${by("ok")} ok, ${by("failing")} failing, ${by("blocked")} blocked, ${by("never")} never`);
    return 0;
  },
};
