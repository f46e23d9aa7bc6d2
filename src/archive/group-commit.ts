/**
 * Group commit: requests that arrive while a batch is being written wait and
 * become the next batch, so N concurrent writers cost one write, not N.
 * `writeBatch` answers each request of the batch with its result or an Error,
 * in order; it never runs twice at once.
 */
export class GroupCommit<Req, Res> {
  private readonly pending: Array<{ req: Req; resolve(r: Res): void; reject(e: unknown): void }> = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly writeBatch: (batch: readonly Req[]) => Promise<ReadonlyArray<Res | Error>>,
    private readonly maxBatch: number,
  ) {}

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.pending.push({ req, resolve, reject });
      this.running ??= this.drain().finally(() => (this.running = null));
    });
  }

  /** Resolves when nothing is queued or being written. */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // One turn first, so requests submitted in the same tick share the first batch.
    await Promise.resolve();
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      let results: ReadonlyArray<Res | Error>;
      try {
        results = await this.writeBatch(batch.map((p) => p.req));
      } catch (err) {
        for (const p of batch) p.reject(err);
        continue;
      }
      batch.forEach((p, i) => {
        const r = results[i];
        if (r instanceof Error) p.reject(r);
        else p.resolve(r as Res);
      });
    }
  }
}
