import type { ValueToken } from "../common/index.js";

// placeholder until the sensitive catalog lands
export function valueTokens(line: string): ValueToken[] { return []; }
