import { RosarchiveError } from "../common/index.js";

/**
 * How many searches run at once in the process (each is a git process that
 * may use a core up to its time limit), and how many may wait for a turn.
 * Past that a search is refused at once (429, try again shortly) instead of
 * queueing without end.
 */
export class SearchSlots {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly atOnce = 2,
    private readonly waiting = 16,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.atOnce) {
      if (this.queue.length >= this.waiting) throw new RosarchiveError("rate_limited", `${this.atOnce + this.waiting} searches are running or waiting; try again in a moment`);
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else this.running++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}
