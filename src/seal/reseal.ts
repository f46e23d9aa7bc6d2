import type { SealResult } from "./types.js";

/** What a device's secret-index state remembers of its archived file (never any plaintext). */
export interface SealState {
  /** `plaintextFingerprint` of the archived file's plaintext; null when unknown (written by an older version). */
  readonly fingerprint: string | null;
  /** `sealedDigest` (git blob id) of the archived file that fingerprint describes. */
  readonly sealed: string | null;
  /** `recipientsDigest` of the recipients it was sealed to. */
  readonly recipients: string | null;
}

/**
 * True when archiving `result` over the archived blob `archived` only
 * re-seals unchanged plaintext: the state's fingerprint describes exactly the
 * archived file (its blob id matches, so a state written before a commit
 * that never landed does not count) and the new plaintext has the same
 * fingerprint. The caller commits only when the sealed text differs (new
 * recipients, a lost index, a newly catalogued parameter). Decided without
 * any plaintext.
 */
export function isReseal(previous: SealState, result: Pick<SealResult, "fingerprint">, archived: string | null): boolean {
  if (archived === null || previous.fingerprint === null || previous.sealed === null) return false;
  return previous.fingerprint === result.fingerprint && previous.sealed === archived;
}

/** History summary of a re-seal commit: `re-sealed 9 values for new recipients`. */
export function resealSummary(values: number, newRecipients: boolean): string {
  return `re-sealed ${values} value${values === 1 ? "" : "s"}${newRecipients ? " for new recipients" : ""}`;
}
