import client from "prom-client";

/** The metric names, one table (docs/metrics.md lists the same; a test compares the two). */
export const METRIC_NAMES = [
  "rosarchive_backups_total",
  "rosarchive_backup_duration_seconds",
  "rosarchive_commits_total",
  "rosarchive_reseal_commits_total",
  "rosarchive_devices",
  "rosarchive_backups_in_flight",
  "rosarchive_webhook_deliveries_total",
  "rosarchive_webhook_outbox_depth",
  "rosarchive_hook_runs_total",
  "rosarchive_http_requests_total",
  "rosarchive_http_request_duration_seconds",
  "rosarchive_config_reloads_total",
  "rosarchive_exports_without_secrets_total",
  "rosarchive_inventory_source_up",
  "rosarchive_inventory_devices",
  "rosarchive_inventory_syncs_total",
  "rosarchive_inventory_removal_pending",
  "rosarchive_devices_retired_total",
  "rosarchive_policy_violations",
  "rosarchive_device_last_success_timestamp_seconds",
  "rosarchive_device_last_change_timestamp_seconds",
  "rosarchive_device_interval_seconds",
  "rosarchive_scheduler_lag_seconds",
  "rosarchive_webhook_dead_letters",
] as const;

export type Metrics = ReturnType<typeof createMetrics>;

/** A private registry per process (tests run several servers in one process). */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const backups = new client.Counter({ name: "rosarchive_backups_total", help: "Backups by tenant and result", labelNames: ["tenant", "result"], registers: [registry] });
  const backupDuration = new client.Histogram({
    name: "rosarchive_backup_duration_seconds",
    help: "Duration of one backup, collection to commit",
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const commits = new client.Counter({ name: "rosarchive_commits_total", help: "Commits written, by tenant", labelNames: ["tenant"], registers: [registry] });
  const resealCommits = new client.Counter({
    name: "rosarchive_reseal_commits_total",
    help: "Commits that only re-sealed unchanged values (new recipients), by tenant; they fire no config.changed",
    labelNames: ["tenant"],
    registers: [registry],
  });
  const devices = new client.Gauge({ name: "rosarchive_devices", help: "Devices by tenant and state", labelNames: ["tenant", "state"], registers: [registry] });
  const inFlight = new client.Gauge({ name: "rosarchive_backups_in_flight", help: "Backups running now", registers: [registry] });
  const webhookDeliveries = new client.Counter({ name: "rosarchive_webhook_deliveries_total", help: "Webhook delivery attempts by result", labelNames: ["result"], registers: [registry] });
  const outboxDepth = new client.Gauge({ name: "rosarchive_webhook_outbox_depth", help: "Webhook deliveries waiting in the outbox", registers: [registry] });
  const hookRuns = new client.Counter({ name: "rosarchive_hook_runs_total", help: "Local hook runs by result", labelNames: ["result"], registers: [registry] });
  const httpRequests = new client.Counter({ name: "rosarchive_http_requests_total", help: "HTTP requests by route and status", labelNames: ["route", "status"], registers: [registry] });
  const httpDuration = new client.Histogram({
    name: "rosarchive_http_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  const configReloads = new client.Counter({ name: "rosarchive_config_reloads_total", help: "Config reloads (SIGHUP) by result: ok, or refused (bad file, or a secret source this process lacks)", labelNames: ["result"], registers: [registry] });
  const exportsWithoutSecrets = new client.Counter({ name: "rosarchive_exports_without_secrets_total", help: "Backups whose export held no secret where the device's last one had some (the backup user lost the permission to see them)", labelNames: ["tenant"], registers: [registry] });
  const inventoryUp = new client.Gauge({ name: "rosarchive_inventory_source_up", help: "1 when the inventory source's last sync read it, 0 while it fails (its last good list stays)", labelNames: ["tenant", "source"], registers: [registry] });
  const inventoryDevices = new client.Gauge({ name: "rosarchive_inventory_devices", help: "Devices in the inventory source's list in force", labelNames: ["tenant", "source"], registers: [registry] });
  const inventorySyncs = new client.Counter({ name: "rosarchive_inventory_syncs_total", help: "Inventory syncs by result (changed, unchanged, not_modified, refused, invalid, failed)", labelNames: ["tenant", "source", "result"], registers: [registry] });
  const inventoryRemovalPending = new client.Gauge({ name: "rosarchive_inventory_removal_pending", help: "Devices a refused sync would remove, waiting for an admin's confirmation", labelNames: ["tenant", "source"], registers: [registry] });
  const retired = new client.Counter({ name: "rosarchive_devices_retired_total", help: "Devices retired (their file removed from main)", labelNames: ["tenant"], registers: [registry] });
  // One series per check (not per device): devices failing it now, computed at scrape time.
  const policyViolations = new client.Gauge({ name: "rosarchive_policy_violations", help: "Devices failing each policy check now, by tenant and check", labelNames: ["tenant", "check"], registers: [registry] });
  // Computed at scrape time from the state files (serve's /metrics render), like rosarchive_devices.
  const deviceLastSuccess = new client.Gauge({
    name: "rosarchive_device_last_success_timestamp_seconds",
    help: "Unix time of the device's last successful backup (absent until its first); off with metrics_per_device: false",
    labelNames: ["tenant", "device"],
    registers: [registry],
  });
  const deviceLastChange = new client.Gauge({
    name: "rosarchive_device_last_change_timestamp_seconds",
    help: "Unix time of the device's last archived change (absent until its first); off with metrics_per_device: false",
    labelNames: ["tenant", "device"],
    registers: [registry],
  });
  const deviceInterval = new client.Gauge({
    name: "rosarchive_device_interval_seconds",
    help: "The device's backup interval, for freshness alerts; off with metrics_per_device: false",
    labelNames: ["tenant", "device"],
    registers: [registry],
  });
  const schedulerLag = new client.Gauge({ name: "rosarchive_scheduler_lag_seconds", help: "How long the most overdue scheduled backup has been waiting to start", registers: [registry] });
  const deadLetters = new client.Gauge({ name: "rosarchive_webhook_dead_letters", help: "Webhook deliveries given up on and kept in state_dir/outbox-dead, by tenant", labelNames: ["tenant"], registers: [registry] });
  return {
    registry,
    backups,
    backupDuration,
    commits,
    resealCommits,
    devices,
    inFlight,
    webhookDeliveries,
    outboxDepth,
    hookRuns,
    httpRequests,
    httpDuration,
    configReloads,
    exportsWithoutSecrets,
    inventoryUp,
    inventoryDevices,
    inventorySyncs,
    inventoryRemovalPending,
    retired,
    policyViolations,
    deviceLastSuccess,
    deviceLastChange,
    deviceInterval,
    schedulerLag,
    deadLetters,
  };
}
