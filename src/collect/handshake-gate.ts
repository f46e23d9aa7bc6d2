/**
 * Spaces out SSH handshakes that would otherwise all start at once. When a
 * fleet is due together, sessions end together and the next ones start
 * together: twenty key exchanges at the same moment queue behind each other
 * on one event loop (27 ms to authenticate on loopback, against 3.5 ms for
 * one alone), and the fleet stays in step for the rest of the pass. A
 * connection waits for one of the `width` handshakes in progress to finish,
 * but never longer than `maxWaitMs`: over a slow link, where a handshake is
 * mostly waiting on the network, connections still start within a few
 * milliseconds of each other.
 */
export class HandshakeGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly width = 2,
    private readonly maxWaitMs = 10,
  ) {}

  /** Runs `handshake` once there is room (or the wait is over). */
  async run<T>(handshake: () => Promise<T>): Promise<T> {
    if (this.running >= this.width) await this.room();
    this.running++;
    try {
      return await handshake();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Resolves when a handshake ends or `maxWaitMs` passes, whichever is first. */
  private room(): Promise<void> {
    return new Promise((resolve) => {
      const go = () => {
        clearTimeout(timer);
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(go, this.maxWaitMs);
      this.waiting.push(go);
    });
  }
}
