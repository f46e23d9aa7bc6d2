import type { SensitiveParam } from "../common/index.js";

// placeholder until the sensitive catalog lands
export const SENSITIVE_PARAMS: readonly SensitiveParam[] = [];
