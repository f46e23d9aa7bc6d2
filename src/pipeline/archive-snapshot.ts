import { rfc3339 } from "../archive/index.js";
import { RosarchiveError } from "../common/index.js";
import { NORMALIZER_VERSION, normalize } from "../normalize/index.js";
import { configChangedEvent } from "../notify/index.js";
import { extendPlatform, isReseal, recipientsDigest, resealSummary, sealedDigest, sealValues, type SealResult } from "../seal/index.js";
import type { SecretIndexState } from "../store/index.js";
import { recipientsOf } from "./recipients.js";
import type { PipelineContext } from "./context.js";
import type { SnapshotInput, SnapshotResult } from "./snapshot-queue.js";

/**
 * normalize → seal → archive → notify for one export. The same path serves
 * SSH backups and `import`. The config.changed event is in the durable outbox
 * before this resolves. A commit that only re-seals unchanged
 * plaintext (new recipients) is labelled `Resealed: true` and fires none.
 */
export async function archiveSnapshot(ctx: PipelineContext, input: SnapshotInput): Promise<SnapshotResult & { version: string; resealed: boolean; secretsMissing: number }> {
  const { device } = input;
  const { platform } = ctx;
  const config = ctx.config();
  const version = platform.versionFromExport(input.text) ?? input.version ?? "unknown";
  const normalized = normalize(input.text, platform);
  if (!platform.hasMenuLine(normalized)) {
    throw new RosarchiveError("invalid_output", "after normalization the export holds no menu line; nothing archived");
  }
  // Each tenant's values are sealed to its own recipients, with the operator's catalog extensions.
  const recipients = recipientsOf(config, device.tenant);
  const previous = await ctx.secrets.state(device.tenant, device.id);
  const sealed = await sealValues(normalized, {
    platform: extendPlatform(platform, config.sensitive),
    recipients,
    previous: previous.index,
    indexKey: await ctx.secrets.indexKey(),
    context: `${device.tenant}/${device.id}`,
  });
  return archiveSealed(ctx, input, { version, previous, sealed, recipients });
}

/** A normalized text sealed for one device, with what the sealer reports about it. */
export type SealedText = Pick<SealResult, "text" | "index" | "sealed" | "fresh" | "fingerprint">;

/**
 * archive → notify for a text already normalized and sealed, here or by a
 * remote collector: the device's sealing state first, then one commit when
 * the file differs (labelled a re-seal when only ciphertexts changed), its
 * config.changed event in the outbox before this resolves.
 */
export async function archiveSealed(
  ctx: PipelineContext,
  input: SnapshotInput,
  s: { readonly version: string; readonly previous: SecretIndexState; readonly sealed: SealedText; readonly recipients: readonly string[] },
): Promise<SnapshotResult & { version: string; resealed: boolean; secretsMissing: number }> {
  const { device } = input;
  const { platform } = ctx;
  const config = ctx.config();
  const { version, previous, sealed } = s;
  const encryption = { recipients: s.recipients };
  const content = Buffer.from(sealed.text, "utf8");
  // A device that prints secrets only to permitted users, and printed none where it printed some before.
  const hadSecrets = Object.keys(previous.index).length;
  const secretsMissing = sealed.sealed === 0 && hadSecrets > 0 && platform.commands.secretsNeedPermission(version) ? hadSecrets : 0;
  if (secretsMissing) ctx.log.warn({ event: "snapshot.secrets_missing", tenant: device.tenant, device: device.id, before: hadSecrets, version });
  const next = { index: sealed.index, fingerprint: sealed.fingerprint, sealed: sealedDigest(content), recipients: recipientsDigest(encryption.recipients) };

  // Same plaintext as the archived file, other ciphertexts: a re-seal, told apart without plaintext.
  const repo = await ctx.repos.get(device.tenant);
  const archived = await repo.blobAt(device.path);
  if (input.resealOf !== undefined && archived !== input.resealOf) {
    throw new RosarchiveError("conflict", `${device.tenant}/${device.id} was archived again while it was being re-sealed; nothing committed, run reseal again`);
  }
  const resealed = archived !== null && archived !== next.sealed && (input.resealOf !== undefined || isReseal(previous, sealed, archived));

  // The state goes first: a crash before the commit then reuses these ciphertexts, never loses one.
  const indexChanged = !sameKeys(previous.index, sealed.index);
  if (indexChanged || previous.fingerprint !== next.fingerprint || previous.sealed !== next.sealed || previous.recipients !== next.recipients) {
    await ctx.secrets.putState(device.tenant, device.id, next, { indexChanged });
  }

  const collectedAt = rfc3339(input.collectedAtMs);
  const newRecipients = previous.recipients !== null && previous.recipients !== next.recipients;
  const outcome = await repo.commitFile({
    path: device.path,
    content,
    authorTime: Math.floor(input.collectedAtMs / 1000),
    facts: {
      device: device.id,
      host: device.host,
      routerosVersion: version,
      trigger: input.trigger,
      collectedAt,
      normalizer: NORMALIZER_VERSION,
      ...(resealed && { resealed, subject: resealSummary(sealed.fresh, newRecipients) }),
    },
    // A re-seal label holds only over the file it was decided against.
    ...(resealed && { ifBlob: archived }),
  });

  if (outcome.changed && outcome.stats && resealed) {
    // No config.changed: the configuration did not change. Logged and counted instead.
    ctx.observe?.commit?.(device.tenant);
    ctx.observe?.reseal?.(device.tenant);
    ctx.log.info({ event: "snapshot.resealed", tenant: device.tenant, device: device.id, commit: outcome.commit, values: sealed.fresh, trigger: input.trigger });
  } else if (outcome.changed && outcome.stats) {
    const { stats, sections, sectionsOmitted, approximate } = outcome.stats;
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
          ...(sectionsOmitted && { sections_omitted: sectionsOmitted }),
          ...(approximate && { approximate: true as const }),
        },
        config.publicUrl,
        ctx.ids,
      ),
    );
    ctx.log.info({ event: "snapshot.committed", tenant: device.tenant, device: device.id, commit: outcome.commit, added: stats.added, removed: stats.removed, trigger: input.trigger });
    try {
      ctx.observe?.committed?.(device, outcome.commit!);
    } catch (err) {
      ctx.log.error({ event: "snapshot.observer_failed", tenant: device.tenant, device: device.id, msg: (err as Error).message });
    }
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
    resealed: outcome.changed && resealed,
    secretsMissing,
  };
}

export function sameKeys(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
