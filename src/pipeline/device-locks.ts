import { RosarchiveError } from "../common/index.js";

/** One backup per device at a time, shared by the scheduler and manual triggers. */
export class DeviceLocks {
  private readonly held = new Map<string, Promise<unknown>>();

  isBusy(tenant: string, device: string): boolean {
    return this.held.has(`${tenant}/${device}`);
  }

  /** Runs `fn` holding the device's lock; throws `busy` (HTTP 409) when it is held. */
  async runExclusive<T>(tenant: string, device: string, fn: () => Promise<T>): Promise<T> {
    const key = `${tenant}/${device}`;
    if (this.held.has(key)) throw new RosarchiveError("busy", `a backup of ${key} is already running; try again when it ends`);
    const p = fn();
    this.held.set(key, p);
    try {
      return await p;
    } finally {
      this.held.delete(key);
    }
  }

  /** Waits for every running backup (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.held.values()]);
  }
}
