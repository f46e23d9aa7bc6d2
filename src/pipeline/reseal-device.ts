import { latestCommitOf, readDeviceFile } from "../archive/index.js";
import type { DeviceConfig } from "../config/index.js";
import { extendPlatform, sealedDigest, unsealText } from "../seal/index.js";
import type { PipelineContext } from "./context.js";

export interface ResealResult {
  readonly tenant: string;
  readonly device: string;
  /** `resealed`: a new commit; `unchanged`: already sealed to the current recipients; `never`: nothing archived yet. */
  readonly result: "resealed" | "unchanged" | "never";
  readonly commit: string | null;
  readonly parent: string | null;
}

/**
 * Re-seals a device's current archived snapshot to its tenant's current
 * recipients: decrypt with the tenant's identity (only at sealed positions),
 * then the normal archive path with `resealOf` set, so the commit is labelled
 * a re-seal (`Resealed: true`, trigger `manual`) and fires no config.changed.
 * Under the device lock; if the file is archived again meanwhile (another
 * process), nothing is committed (`conflict`).
 */
export async function resealDevice(ctx: PipelineContext, device: DeviceConfig, identities: readonly string[]): Promise<ResealResult> {
  return ctx.locks.runExclusive(device.tenant, device.id, async () => {
    const base = { tenant: device.tenant, device: device.id };
    const repo = await ctx.repos.get(device.tenant);
    const head = await latestCommitOf(repo, device.path);
    const file = head ? await readDeviceFile(repo, head, device.path, device.id) : null;
    if (!head || !file) return { ...base, result: "never", commit: null, parent: null };
    const plain = await unsealText(file.content.toString("utf8"), identities, extendPlatform(ctx.platform, ctx.config().sensitive));
    const r = await ctx.archive.submit({ device, text: plain, trigger: "manual", collectedAtMs: ctx.clock(), resealOf: sealedDigest(file.content) });
    return { ...base, result: r.changed ? "resealed" : "unchanged", commit: r.commit, parent: r.parent };
  });
}
