import type { Trigger } from "../archive/index.js";
import { acceptHostKey, runBackup, unblockDevice, type PipelineContext } from "../pipeline/index.js";
import type { ApiDeps } from "./types.js";

/** The API's dependencies for a service whose backups run in this process. */
export function apiDeps(ctx: PipelineContext, rest: Omit<ApiDeps, "config" | "platform" | "repos" | "states" | "devices">): ApiDeps {
  const manual: Trigger = "manual";
  return {
    config: ctx.config,
    platform: ctx.platform,
    repos: ctx.repos,
    states: ctx.states,
    devices: {
      backup: (device) => runBackup(ctx, device, manual),
      acceptHostKey: (device, fingerprint, by) => acceptHostKey(ctx, device, fingerprint, by),
      unblock: (device, by) => unblockDevice(ctx, device, by),
    },
    ...rest,
  };
}
