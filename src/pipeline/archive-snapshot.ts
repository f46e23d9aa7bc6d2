import { rfc3339 } from "../archive/index.js";
import { RosarchiveError } from "../common/index.js";
import { NORMALIZER_VERSION, normalize, withoutExportDate } from "../normalize/index.js";
import { configChangedEvent } from "../notify/index.js";
import { exportDigest, extendPlatform, isReseal, recipientsDigest, resealSummary, sealedDigest, sealValues, type SealResult } from "../seal/index.js";
import type { SecretIndexState } from "../store/index.js";
import { recipientsOf } from "./recipients.js";
import type { PipelineContext } from "./context.js";
import type { LastExports } from "./last-exports.js";
import type { SnapshotInput, SnapshotResult } from "./snapshot-queue.js";

/**
 * normalize → seal → archive → notify for one export. The same path serves
 * SSH backups and `import`. The config.changed event is in the durable outbox
 * before this resolves. A commit that only re-seals unchanged
 * plaintext (new recipients) is labelled `Resealed: true` and fires none.
 */
type ArchiveResult = SnapshotResult & { version: string; resealed: boolean; secretsMissing: number };

export async function archiveSnapshot(ctx: PipelineContext, input: SnapshotInput): Promise<ArchiveResult> {
  const { device } = input;
  const { platform } = ctx;
  const config = ctx.config();
  const version = platform.versionFromExport(input.text) ?? input.version ?? "unknown";
  const context = `${device.tenant}/${device.id}`;
  const indexKey = await ctx.secrets.indexKey();
  // Exports taken at other times differ in their header's date, which normalization drops: so does the digest.
  const digest = exportDigest(indexKey, context, withoutExportDate(input.text, platform));
  const again = input.resealOf === undefined ? await sameAsLast(ctx, input, ctx.lastExports, digest, version) : null;
  if (again) return again;

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
    indexKey,
    context,
  });
  return archiveSealed(ctx, input, { version, previous, sealed, recipients, digest });
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
  s: {
    readonly version: string;
    readonly previous: SecretIndexState;
    readonly sealed: SealedText;
    readonly recipients: readonly string[];
    /** The keyed digest of the raw export sealed here (exportDigest): remembered so the same export next time is answered from memory. Absent for a text sealed elsewhere. */
    readonly digest?: string;
  },
): Promise<ArchiveResult> {
  const { device } = input;
  const context = `${device.tenant}/${device.id}`;
  const memo = ctx.lastExports;
  memo.forget(context);
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
  if (s.digest !== undefined) memo.set(context, { digest: s.digest, sensitive: config.sensitive, recipients: next.recipients, sealed: next.sealed, fingerprint: next.fingerprint, secretsMissing });
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

/**
 * The same export as the device's last one, under the same catalog
 * extensions and recipients, with its sealing state and the archived file
 * still those it produced: unchanged, answered without normalizing or
 * sealing (both pure in exactly these inputs). Null when anything differs.
 */
async function sameAsLast(ctx: PipelineContext, input: SnapshotInput, memo: LastExports, digest: string, version: string): Promise<ArchiveResult | null> {
  const { device } = input;
  const config = ctx.config();
  const last = memo.get(`${device.tenant}/${device.id}`);
  if (!last || last.digest !== digest || last.sensitive !== config.sensitive) return null;
  if (last.recipients !== recipientsDigest(recipientsOf(config, device.tenant))) return null;
  const state = await ctx.secrets.state(device.tenant, device.id);
  if (state.sealed !== last.sealed || state.fingerprint !== last.fingerprint || state.recipients !== last.recipients) return null;
  const repo = await ctx.repos.get(device.tenant);
  if ((await repo.blobAt(device.path)) !== last.sealed) return null;
  const commit = await repo.lastCommitFor(device.path);
  if (last.secretsMissing) ctx.log.warn({ event: "snapshot.secrets_missing", tenant: device.tenant, device: device.id, before: last.secretsMissing, version });
  ctx.log.debug({ event: "snapshot.unchanged", tenant: device.tenant, device: device.id, commit: commit?.commit ?? null });
  return { tenant: device.tenant, device: device.id, result: "unchanged", changed: false, commit: commit?.commit ?? null, parent: commit?.parent ?? null, version, resealed: false, secretsMissing: last.secretsMissing };
}

export function sameKeys(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}
