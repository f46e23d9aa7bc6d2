/**
 * Polls `probe` every 250 ms until it returns a value (not undefined), or
 * fails after `limitMs` naming `what` and the last error (bounded, never a
 * timed assertion).
 */
export async function until<T>(what: string, limitMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
