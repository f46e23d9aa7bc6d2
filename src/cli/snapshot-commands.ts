import { prepareStateDir } from "../store/index.js";
import { asRosarchiveError, assertId, RosarchiveError } from "../common/index.js";
import { importExport, resultCode, runBackup, type SnapshotResult } from "../pipeline/index.js";
import { buildContext } from "./build-context.js";
import { expectPositionals, expectTenantDevice, parse, println, type Command, type CommandIo } from "./command.js";
import { findDevice, findTenant, readConfigWithInventory } from "./load.js";
import PQueue from "p-queue";
import { AuditLog } from "../store/index.js";
import { createLogger } from "../observe/index.js";
import { createNotifier } from "./outbox.js";

const IMPORT_USAGE = `usage: rosarchive import -c FILE TENANT/DEVICE EXPORT.rsc [--collected-at RFC3339] [--force]

Archives an export taken elsewhere (migration, offline devices) through the
same normalize, seal and commit path as a backup. Prints the result as JSON.

  --collected-at T   when the export was taken (default: now); recorded as Collected-At
  --force            archive it even when T is older than the device's newest
                     archived version: it then becomes the device's current file

A device that was never backed up counts as backed up at T afterwards.
To bring a whole Oxidized or RANCID history, use \`rosarchive migrate\`.`;

const BACKUP_USAGE = `usage: rosarchive backup -c FILE TENANT/DEVICE
       rosarchive backup -c FILE TENANT --all [--group GROUP]

Collects one device now over SSH and prints the result as JSON.
Exit 0 when changed or unchanged, 1 otherwise (the error is in the JSON).
A change is committed (and its config.changed event queued) as any backup's,
but the device's state is left alone: a one-off run from a shell never
blocks, fails or recovers a device that a running serve manages. Credentials
come from this shell's environment; a missing one is credentials_missing.
With --all, every enabled device of TENANT (or of GROUP) is backed up, at most
schedule.concurrency at once, one JSON line per device; exit 0 when all
succeeded. Progress goes to stderr on a terminal. The run is audited.`;

/** One JSON object; on failure the same object with the error, exit 1. */
async function printResult(io: CommandIo, tenantDevice: string | undefined, work: () => Promise<SnapshotResult>): Promise<number> {
  const [tenant, device] = (tenantDevice ?? "").split("/");
  try {
    const r = await work();
    println(io.stdout, JSON.stringify({ tenant: r.tenant, device: r.device, result: r.result, changed: r.changed, commit: r.commit, parent: r.parent }));
    return 0;
  } catch (raw) {
    const err = asRosarchiveError(raw);
    const result = resultCode(err.code);
    println(io.stdout, JSON.stringify({ tenant: tenant ?? null, device: device ?? null, result, changed: false, commit: null, parent: null, error: { code: err.code, message: err.message } }));
    return 1;
  }
}

export const importCommand: Command = {
  name: "import",
  summary: "archive an export taken elsewhere",
  usage: IMPORT_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" }, "collected-at": { type: "string" }, force: { type: "boolean" } }, IMPORT_USAGE);
    expectTenantDevice(positionals[0], IMPORT_USAGE);
    expectPositionals(positionals, ["TENANT/DEVICE", "EXPORT.rsc"], IMPORT_USAGE);
    return printResult(io, positionals[0], async () => {
      const config = await readConfigWithInventory(values.config);
      const device = findDevice(config, positionals[0]);
      if (!positionals[1]) throw new RosarchiveError("bad_parameter", `missing EXPORT.rsc argument\n\n${IMPORT_USAGE}`);
      let at: number | undefined;
      if (values["collected-at"] !== undefined) {
        const s = values["collected-at"];
        at = Date.parse(s);
        if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) || Number.isNaN(at)) {
          throw new RosarchiveError("bad_parameter", `--collected-at: ${JSON.stringify(s.slice(0, 40))} is not an RFC 3339 time like 2026-11-22T10:00:00Z`);
        }
      }
      await prepareStateDir(config.stateDir);
      const log = createLogger({ level: config.logLevel });
      const notifier = createNotifier(() => config, io.env, log);
      const ctx = buildContext(config, io.env, { log, events: notifier.outbox });
      try {
        return await importExport(ctx, device, positionals[1], at, { force: values.force === true });
      } finally {
        await ctx.repos.closeAll();
        await notifier.hooks.idle();
      }
    });
  },
};

export const backupCommand: Command = {
  name: "backup",
  summary: "collect one device now",
  usage: BACKUP_USAGE,
  async run(io) {
    const { values, positionals } = parse(io.argv, { config: { type: "string", short: "c" }, all: { type: "boolean" }, group: { type: "string" } }, BACKUP_USAGE);
    if (values.all) return backupAll(io, values.config, positionals, values.group);
    if (values.group !== undefined) throw new RosarchiveError("bad_parameter", `--group goes with --all\n\n${BACKUP_USAGE}`);
    expectTenantDevice(positionals[0], BACKUP_USAGE);
    expectPositionals(positionals, ["TENANT/DEVICE"], BACKUP_USAGE);
    return printResult(io, positionals[0], async () => {
      const config = await readConfigWithInventory(values.config);
      const device = findDevice(config, positionals[0]);
      await prepareStateDir(config.stateDir);
      const log = createLogger({ level: config.logLevel });
      const notifier = createNotifier(() => config, io.env, log);
      const ctx = buildContext(config, io.env, { log, events: notifier.outbox });
      try {
        return await runBackup(ctx, device, "manual", { recordState: false });
      } finally {
        await ctx.repos.closeAll();
        await notifier.hooks.idle();
      }
    });
  },
};

/** `backup -c FILE TENANT --all [--group G]`: every enabled device, bounded, one JSON line each; audited. */
async function backupAll(io: CommandIo, configFile: string | undefined, positionals: readonly string[], group: string | undefined): Promise<number> {
  expectPositionals(positionals, ["TENANT"], BACKUP_USAGE);
  const config = await readConfigWithInventory(configFile);
  const tenant = config.tenants.get(findTenant(config, positionals[0]))!;
  if (group !== undefined) assertId("group", group);
  const devices = tenant.devices.filter((d) => d.enabled && (group === undefined || d.group === group));
  if (devices.length === 0) throw new RosarchiveError("not_found", `no enabled device in tenant ${tenant.id}${group ? ` group ${group}` : ""}`);
  const log = createLogger({ level: config.logLevel });
  const notifier = createNotifier(() => config, io.env, log);
  const ctx = buildContext(config, io.env, { log, events: notifier.outbox });
  const progress = (io.stderr as NodeJS.WriteStream).isTTY ? (text: string) => io.stderr.write(`\r${text}`) : null;
  const queue = new PQueue({ concurrency: config.schedule.concurrency });
  let done = 0;
  let failed = 0;
  try {
    await Promise.all(
      devices.map((device) =>
        queue.add(async () => {
          const code = await printResult(io, `${tenant.id}/${device.id}`, () => runBackup(ctx, device, "manual", { recordState: false }));
          done++;
          if (code !== 0) failed++;
          progress?.(`backed up ${done}/${devices.length}${failed ? `, ${failed} failed` : ""}`);
        }),
      ),
    );
    progress?.("\n");
    const audit = new AuditLog(config.stateDir, { segmentBytes: config.limits.auditSegmentBytes });
    await audit.append(tenant.id, { actor: "cli", role: "operator", ip: null, action: "backup.all", device: null, details: { group: group ?? null, devices: devices.length, failed } });
  } finally {
    await ctx.repos.closeAll();
    await notifier.hooks.idle();
  }
  return failed === 0 ? 0 : 1;
}
