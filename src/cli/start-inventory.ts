import { ConfigError, type Config, type LiveConfig } from "../config/index.js";
import { DeviceDirectory, httpGet, InventoryService, mergeInventory, readFileCapped, readSource, Retirer, SourceStateStore } from "../inventory/index.js";
import { NORMALIZER_VERSION } from "../normalize/index.js";
import type { EventSink } from "../notify/index.js";
import type { Logger, Metrics } from "../observe/index.js";
import type { PipelineContext } from "../pipeline/index.js";
import type { AuditLog } from "../store/index.js";

export interface RunningInventory {
  readonly service: InventoryService;
  readonly directory: DeviceDirectory;
  readonly retirer: Retirer;
  /** The config file's content in force (without inventory devices). */
  fileConfig(): Config;
  /**
   * A new config file (SIGHUP): refused, with a ConfigError naming both
   * sides, when a device of the file clashes with an inventory source's;
   * otherwise sources are reconfigured and the merged config put in force.
   */
  reload(next: Config): Promise<Config>;
}

/**
 * Opens the inventory sources of a config: their last good lists (from
 * state_dir, so a restart does not wait for the sources) merged with the
 * config file's devices. Throws a ConfigError when they clash.
 */
export async function openInventory(config: Config, deps: { env: NodeJS.ProcessEnv; log: Logger; events: EventSink; audit: AuditLog; metrics: Metrics; ids: () => string; clock: () => number }): Promise<{ service: InventoryService; merged: Config }> {
  const { metrics } = deps;
  const service = await InventoryService.open(config, {
    store: new SourceStateStore(config.stateDir),
    read: (s, etag, signal) => readSource(s, { env: deps.env, readFile: readFileCapped, get: httpGet, signal }, etag),
    events: deps.events,
    audit: (tenant, entry) => deps.audit.append(tenant, entry),
    log: deps.log,
    clock: deps.clock,
    ids: deps.ids,
    observe: {
      sync: (tenant, source, result) => metrics.inventorySyncs.inc({ tenant, source, result }),
      gauges: (tenant, source, g) => {
        if (g === null) {
          for (const m of [metrics.inventoryUp, metrics.inventoryDevices, metrics.inventoryRemovalPending]) m.remove({ tenant, source });
          return;
        }
        metrics.inventoryUp.set({ tenant, source }, g.up ? 1 : 0);
        metrics.inventoryDevices.set({ tenant, source }, g.devices);
        metrics.inventoryRemovalPending.set({ tenant, source }, g.pending);
      },
    },
  });
  const m = mergeInventory(config, service.lists());
  if (m.problems.length > 0) throw new ConfigError(m.problems);
  return { service, merged: m.config };
}

/**
 * Wires a running service's inventory: each applied sync puts the merged
 * config in force through the live-config owner, asks the scheduler to take
 * the new device list (new devices get their first backup soon), and sweeps
 * retirements.
 */
export function runInventory(
  service: InventoryService,
  p: { config: Config; live: LiveConfig; ctx: PipelineContext; log: Logger; metrics: Metrics; reloadScheduler: () => Promise<void> },
): RunningInventory {
  let fileConfig = p.config;
  const directory = new DeviceDirectory(p.config.stateDir);
  const retirer = new Retirer({
    config: p.live.source,
    known: (tenant) => service.known(tenant),
    repos: p.ctx.repos,
    locks: p.ctx.locks,
    states: p.ctx.states,
    directory,
    events: p.ctx.events,
    log: p.log,
    clock: p.ctx.clock,
    ids: p.ctx.ids,
    normalizer: NORMALIZER_VERSION,
    observe: { retired: (tenant) => p.metrics.retired.inc({ tenant }) },
  });
  const after = () =>
    p.reloadScheduler().then(
      () => retirer.sweep(),
      (err) => p.log.error({ event: "scheduler.reload_failed", msg: (err as Error).message }),
    );
  service.onChange((lists) => {
    const m = mergeInventory(fileConfig, lists);
    if (m.problems.length > 0) {
      // The planner checked this merge; only a config reload in between could make it fail.
      p.log.error({ event: "inventory.merge_refused", msg: m.problems.map((x) => `${x.path}: ${x.message}`).join("; ") });
      return;
    }
    p.live.replace(m.config);
    void after();
  });
  return {
    service,
    directory,
    retirer,
    fileConfig: () => fileConfig,
    async reload(next) {
      const check = mergeInventory(next, service.lists());
      if (check.problems.length > 0) throw new ConfigError(check.problems);
      fileConfig = next;
      await service.reconfigure(next);
      const merged = mergeInventory(next, service.lists());
      p.live.replace(merged.config);
      await p.reloadScheduler();
      void retirer.sweep();
      return merged.config;
    },
  };
}
