export { normalize, NORMALIZER_VERSION } from "./normalize.js";
export { unifyLineEndings } from "./unify-line-endings.js";
export { rewriteHeader, withoutExportDate } from "./rewrite-header.js";
export { joinWraps } from "./join-wraps.js";
export { dropVolatile } from "./drop-volatile.js";
export { tidy } from "./tidy.js";
