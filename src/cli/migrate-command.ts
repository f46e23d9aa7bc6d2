import { asRosarchiveError, RosarchiveError } from "../common/index.js";
import { type Config, type DeviceConfig } from "../config/index.js";
import { formatReport, migrateHistory, type MigrationReport, type ReplayProgress, type SourceTool } from "../migrate/index.js";
import { NO_EVENTS } from "../notify/index.js";
import { createLogger } from "../observe/index.js";
import { newestArchived, stateAfterImport } from "../pipeline/index.js";
import { buildContext } from "./build-context.js";
import { parse, println, type Command, type CommandIo } from "./command.js";
import { findTenant, readConfigWithInventory } from "./load.js";

const USAGE = `usage: rosarchive migrate oxidized|rancid --repo PATH [--tenant T] -c FILE [--json]

Brings the history another backup tool kept in git into a tenant's archive.
Every version of every RouterOS node, oldest first, goes through the same
normalize, seal and commit path as \`import\`, with its original commit time as
Collected-At and "Trigger: import". Secrets stored in plain text by the other
tool are sealed on the way in.

  oxidized   Oxidized's git output: one repository (files <node> or
             <group>/<node>), or the folder holding its per-group repositories
  rancid     RANCID's git repositories (configs/<node>; give one group's
             repository or the folder of them, e.g. its CVS folder), or a
             CVS repository converted to git (<group>/configs/<node>)

  --repo PATH    the repository, or a folder of repositories (one per group)
  --tenant T     the tenant to fill; optional when the config has one tenant
  -c FILE        the config: nodes are matched to its devices (those of the
                 file and its inventory sources' last lists) by id, then by host
  --json         print the report as JSON on stdout

Re-running adds nothing: a version is archived only when it is newer than the
device's newest archived Collected-At, so a newer copy of the source adds only
its new versions. Nodes that match no device, other platforms and stored
error output are skipped and listed. No webhook or hook fires for replayed
history. Progress shows on stderr when it is a terminal.`;

/** `rosarchive migrate`: composes the migration with the real pipeline. */
export const migrateCommand: Command = {
  name: "migrate",
  summary: "bring an Oxidized or RANCID history into the archive",
  usage: USAGE,
  async run(io) {
    const { values, positionals } = parse(
      io.argv,
      { config: { type: "string", short: "c" }, repo: { type: "string" }, tenant: { type: "string" }, json: { type: "boolean" } },
      USAGE,
    );
    const json = values.json === true;
    try {
      const tool = positionals[0];
      if (tool !== "oxidized" && tool !== "rancid") throw new RosarchiveError("bad_parameter", `${tool === undefined ? "missing the source tool" : `unknown source tool ${JSON.stringify(tool.slice(0, 40))}`}: give oxidized or rancid\n\n${USAGE}`);
      if (positionals.length > 1) throw new RosarchiveError("bad_parameter", `unexpected argument ${JSON.stringify(positionals[1]!.slice(0, 60))}\n\n${USAGE}`);
      if (!values.repo) throw new RosarchiveError("bad_parameter", `missing --repo PATH\n\n${USAGE}`);
      const config = await readConfigWithInventory(values.config);
      const tenant = pickTenant(config, values.tenant);
      const started = performance.now();
      const { report, maintenanceSeconds } = await runMigration(io, config, tenant, tool, values.repo);
      const seconds = (performance.now() - started) / 1000;
      if (json) println(io.stdout, JSON.stringify({ tenant, seconds: Number(seconds.toFixed(3)), maintenance_seconds: Number(maintenanceSeconds.toFixed(3)), ...report }));
      else println(io.stdout, formatReport(report, tenant, seconds));
      return 0;
    } catch (raw) {
      const err = asRosarchiveError(raw);
      if (json) println(io.stdout, JSON.stringify({ error: { code: err.code, message: err.message } }));
      println(io.stderr, `rosarchive migrate: ${err.message}`);
      return 1;
    }
  },
};

function pickTenant(config: Config, given: string | undefined): string {
  if (given !== undefined) return findTenant(config, given);
  const all = [...config.tenants.keys()];
  if (all.length === 1) return all[0]!;
  throw new RosarchiveError("bad_parameter", `the config has ${all.length} tenants (${all.slice(0, 5).join(", ")}${all.length > 5 ? ", ..." : ""}): pass --tenant`);
}

async function runMigration(io: CommandIo, config: Config, tenant: string, tool: SourceTool, repoPath: string): Promise<{ report: MigrationReport; maintenanceSeconds: number }> {
  const log = createLogger({ level: config.logLevel });
  // One line per replayed commit would bury the report: the pipeline logs warnings only, unless debugging.
  const quiet = createLogger({ level: config.logLevel === "debug" || config.logLevel === "error" ? config.logLevel : "warn" });
  // History is not news: replayed versions fire no webhook, hook or live event.
  const ctx = buildContext(config, io.env, { log: quiet, events: NO_EVENTS });
  const progress = progressLine(io.stderr);
  log.info({ event: "migrate.started", tenant, tool, repo: repoPath });
  try {
    const report = await migrateHistory<DeviceConfig>(
      { tool, repoPath, devices: config.tenants.get(tenant)!.devices, maxExportBytes: config.limits.maxExportBytes },
      {
        concurrency: config.schedule.concurrency,
        newestArchivedMs: async (d) => (await newestArchived(ctx, d))?.collectedAtMs ?? null,
        submit: (d, text, collectedAtMs) => ctx.locks.runExclusive(d.tenant, d.id, () => ctx.archive.submit({ device: d, text, trigger: "import", collectedAtMs })),
        finish: async (d, last) => {
          await ctx.states.update(d.tenant, d.id, (s) => stateAfterImport(s, last));
        },
        onProgress: progress.update,
      },
    );
    progress.done();
    // Many small packs and no commit-graph yet: leave the repository as fast to read as the service keeps it.
    const t0 = performance.now();
    if (report.versions.committed > 0) await (await ctx.repos.get(tenant)).maintain();
    const maintenanceSeconds = (performance.now() - t0) / 1000;
    log.info({ event: "migrate.done", tenant, tool, committed: report.versions.committed, unchanged: report.versions.unchanged, not_newer: report.versions.not_newer, skipped: report.versions.skipped, maintenance_ms: Math.round(maintenanceSeconds * 1000) });
    return { report, maintenanceSeconds };
  } finally {
    progress.done();
    await ctx.repos.closeAll();
  }
}

/** `\r`-updated progress on a terminal, at most four times a second; nothing when stderr is a file or pipe. */
function progressLine(stderr: NodeJS.WritableStream): { update: (p: ReplayProgress) => void; done: () => void } {
  if ((stderr as NodeJS.WriteStream).isTTY !== true) return { update: () => {}, done: () => {} };
  const t0 = performance.now();
  let last = 0;
  let shown = false;
  return {
    update: (p) => {
      const now = performance.now();
      if (now - last < 250 && p.done < p.total) return;
      last = now;
      shown = true;
      const rate = p.committed / Math.max(0.001, (now - t0) / 1000);
      stderr.write(`\rmigrate: ${p.done}/${p.total} versions, ${p.committed} committed (${rate.toFixed(0)}/s)   `);
    },
    done: () => {
      if (shown) stderr.write("\n");
      shown = false;
    },
  };
}
