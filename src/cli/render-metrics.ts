import { promises as fs } from "node:fs";
import path from "node:path";
import type { ConfigSource } from "../config/index.js";
import type { Metrics } from "../observe/index.js";
import type { DeviceStateStore } from "../store/index.js";

export interface RenderMetricsDeps {
  readonly config: ConfigSource;
  readonly metrics: Metrics;
  readonly states: DeviceStateStore;
  /** The tenant's retired devices (inventory). */
  readonly retired: (tenant: string) => Promise<readonly unknown[]>;
  /** The scheduler's lag in ms (0 when nothing waits). */
  readonly schedulerLagMs: () => number;
  /** Other gauges computed at scrape time (policy violations), set before the text is made. */
  readonly more?: () => Promise<void>;
}

const seconds = (iso: string | null): number | null => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(t) ? null : t / 1000;
};

/**
 * The Prometheus text of `/metrics`. The gauges that describe state rather
 * than activity (devices by state, per-device freshness, dead letters,
 * scheduler lag) are computed here, at scrape time, from the state files,
 * so they are right after a restart and cost nothing between scrapes.
 * Per-device series only with `metrics_per_device` (the default).
 */
export async function renderMetrics(deps: RenderMetricsDeps): Promise<{ contentType: string; body: string }> {
  const { metrics } = deps;
  const config = deps.config();
  metrics.devices.reset();
  metrics.deviceLastSuccess.reset();
  metrics.deviceLastChange.reset();
  metrics.deviceInterval.reset();
  metrics.deadLetters.reset();
  for (const tenant of config.tenants.values()) {
    const counts = new Map<string, number>([["never", 0], ["ok", 0], ["failing", 0], ["blocked", 0]]);
    const states = await deps.states.getMany(tenant.id, tenant.devices.map((d) => d.id));
    for (const d of tenant.devices) {
      const s = states.get(d.id)!;
      counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
      if (!config.metricsPerDevice) continue;
      const labels = { tenant: tenant.id, device: d.id };
      const success = seconds(s.last_success);
      const change = seconds(s.last_change);
      if (success !== null) metrics.deviceLastSuccess.set(labels, success);
      if (change !== null) metrics.deviceLastChange.set(labels, change);
      if (d.enabled) metrics.deviceInterval.set(labels, d.intervalMs / 1000);
    }
    counts.set("retired", (await deps.retired(tenant.id)).length);
    for (const [state, n] of counts) metrics.devices.set({ tenant: tenant.id, state }, n);
    metrics.deadLetters.set({ tenant: tenant.id }, await countDeadLetters(config.stateDir, tenant.id));
  }
  metrics.schedulerLag.set(deps.schedulerLagMs() / 1000);
  await deps.more?.();
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}

/** Delivery files the deliverer gave up on (`state_dir/outbox-dead/<tenant>/`). */
async function countDeadLetters(stateDir: string, tenant: string): Promise<number> {
  try {
    return (await fs.readdir(path.join(stateDir, "outbox-dead", tenant))).filter((n) => n.endsWith(".json") && !n.startsWith(".")).length;
  } catch {
    return 0;
  }
}
