import type { Platform, PlatformExtensions } from "../common/index.js";

const extended = new WeakMap<Platform, WeakMap<PlatformExtensions, Platform>>();

/** True when the extensions change nothing. */
const isEmpty = (ext: PlatformExtensions): boolean =>
  ext.params.length === 0 && ext.scriptParams.length === 0 && ext.secretWords.length === 0 && !ext.sealWholeScripts;

/**
 * The platform an operator's config describes: its catalog, script-bearing
 * parameters and secret words with the config's additions, whole-script
 * sealing if asked. Pure and memoized per (platform, extensions) object, so
 * the compiled matchers are built once per config load; `null` or empty
 * extensions give the platform itself.
 *
 * Sealing and decrypting must use the same extended platform: decrypt opens
 * only positions this platform seals (an extension removed later leaves the
 * values it sealed in history closed; `rosarchive decrypt -c` uses the
 * config's extensions).
 */
export function extendPlatform(platform: Platform, ext: PlatformExtensions | null | undefined): Platform {
  if (!ext || isEmpty(ext)) return platform;
  let byExt = extended.get(platform);
  if (!byExt) extended.set(platform, (byExt = new WeakMap()));
  const known = byExt.get(ext);
  if (known) return known;
  const words = [...platform.secretWords];
  for (const w of ext.secretWords) if (!words.includes(w.toUpperCase())) words.push(w.toUpperCase());
  const result: Platform = Object.freeze({
    ...platform,
    sensitiveParams: Object.freeze([...platform.sensitiveParams, ...ext.params]),
    scriptParams: Object.freeze([...platform.scriptParams, ...ext.scriptParams]),
    secretWords: Object.freeze(words),
    sealWholeScripts: platform.sealWholeScripts || ext.sealWholeScripts,
  });
  byExt.set(ext, result);
  return result;
}
