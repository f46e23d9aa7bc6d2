import { rfc3339 } from "../archive/index.js";
import { RosarchiveError } from "../common/index.js";
import { NORMALIZER_VERSION, normalize } from "../normalize/index.js";
import { configChangedEvent } from "../notify/index.js";
import { sealValues } from "../seal/index.js";
import type { PipelineContext } from "./context.js";
import type { SnapshotInput, SnapshotResult } from "./snapshot-queue.js";

/**
 * normalize → seal → archive → notify for one export. The same path serves
 * SSH backups and `import`. The config.changed event is in the durable outbox
 * before this resolves (SPEC §9).
 */
export async function archiveSnapshot(ctx: PipelineContext, input: SnapshotInput): Promise<SnapshotResult & { version: string }> {
  const { device } = input;
  const { platform } = ctx;
  const version = platform.versionFromExport(input.text) ?? input.version ?? "unknown";
  const normalized = normalize(input.text, platform);
  if (!platform.hasMenuLine(normalized)) {
    throw new RosarchiveError("invalid_output", "after normalization the export holds no menu line; nothing archived");
  }
  const previous = await ctx.secrets.get(device.tenant, device.id);
  const sealed = await sealValues(normalized, {
    platform,
    recipients: [...ctx.config().encryption.recipients],
    previous,
    indexKey: await ctx.secrets.indexKey(),
    context: `${device.tenant}/${device.id}`,
  });
  // The index goes first: a crash before the commit then reuses these ciphertexts, never loses one.
  if (!sameKeys(previous, sealed.index)) await ctx.secrets.put(device.tenant, device.id, sealed.index);

  const collectedAt = rfc3339(input.collectedAtMs);
  const repo = await ctx.repos.get(device.tenant);
  const outcome = await repo.commitFile({
    path: device.path,
    content: Buffer.from(sealed.text, "utf8"),
    authorTime: Math.floor(input.collectedAtMs / 1000),
    facts: { device: device.id, host: device.host, routerosVersion: version, trigger: input.trigger, collectedAt, normalizer: NORMALIZER_VERSION },
  });

  if (outcome.changed && outcome.stats) {
    const { stats, sections } = outcome.stats;
    ctx.observe?.commit?.(device.tenant);
    await ctx.events.emit(
      configChangedEvent(
        {
          tenant: device.tenant,
          device: device.id,
          commit: outcome.commit!,
          parent: outcome.parent,
          collected_at: collectedAt,
          trigger: input.trigger,
          routeros_version: version,
          stats,
          sections,
        },
        ctx.config().publicUrl,
        ctx.ids,
      ),
    );
    ctx.log.info({ event: "snapshot.committed", tenant: device.tenant, device: device.id, commit: outcome.commit, added: stats.added, removed: stats.removed, trigger: input.trigger });
  } else {
    ctx.log.debug({ event: "snapshot.unchanged", tenant: device.tenant, device: device.id, commit: outcome.commit });
  }
  return {
    tenant: device.tenant,
    device: device.id,
    result: outcome.changed ? "changed" : "unchanged",
    changed: outcome.changed,
    commit: outcome.commit,
    parent: outcome.parent,
    version,
  };
}

function sameKeys(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
