import type { PlatformExtensions } from "../common/index.js";

const cache = new Map<string, PlatformExtensions>();

const isEmpty = (e: PlatformExtensions | null | undefined): boolean =>
  !e || (e.params.length === 0 && e.scriptParams.length === 0 && e.secretWords.length === 0 && !e.sealWholeScripts);

/**
 * The catalog additions a collector seals with: its own file's `sensitive:`
 * and the ones the job brings from the core, together. Sealing more is
 * always safe, so a job can add to the collector's catalog, never take from
 * it. The same inputs give the same object (the sealer caches its compiled
 * catalog per object).
 */
export function mergeExtensions(own: PlatformExtensions | null | undefined, fromJob: PlatformExtensions | null | undefined): PlatformExtensions | null {
  if (isEmpty(fromJob)) return isEmpty(own) ? null : own!;
  if (isEmpty(own)) own = { params: [], scriptParams: [], secretWords: [], sealWholeScripts: false };
  const key = JSON.stringify([own, fromJob]);
  const known = cache.get(key);
  if (known) return known;
  const uniq = <T>(items: readonly T[]): T[] => [...new Map(items.map((i) => [JSON.stringify(i), i])).values()];
  const merged: PlatformExtensions = {
    params: uniq([...own!.params, ...fromJob!.params]),
    scriptParams: uniq([...own!.scriptParams, ...fromJob!.scriptParams]),
    secretWords: uniq([...own!.secretWords, ...fromJob!.secretWords]),
    sealWholeScripts: own!.sealWholeScripts || fromJob!.sealWholeScripts,
  };
  if (cache.size > 256) cache.clear();
  cache.set(key, merged);
  return merged;
}
