export { sealValues } from "./seal-values.js";
export { unsealText } from "./unseal-text.js";
export { isSensitive } from "./is-sensitive.js";
export { secretIndexKey, type IndexKeyFields } from "./index-key.js";
export { SEALED_PREFIX, validateRecipients } from "./age-codec.js";
export { generateIdentityPair, parseIdentityFile, recipientOf } from "./identities.js";
export type { SealOptions, SealResult, SecretIndex } from "./types.js";
