import type { Config } from "./types.js";

/** Read access to the configuration in force now; every reader asks again instead of keeping a copy. */
export type ConfigSource = () => Config;

type Listener = (next: Config, previous: Config) => void;

/**
 * The one owner of the live configuration of a running service. A reload
 * (SIGHUP, an inventory sync) replaces it here and nowhere else; the rest of
 * the process receives `source` (read access) and, where it must adapt
 * (scheduler, listeners, session slots), subscribes to changes.
 */
export class LiveConfig {
  private value: Config;
  private readonly listeners = new Set<Listener>();

  constructor(initial: Config) {
    this.value = initial;
  }

  /** Read access, to hand to everything that needs the config. */
  readonly source: ConfigSource = () => this.value;

  current(): Config {
    return this.value;
  }

  /** Puts `next` in force, then tells every subscriber (in subscription order). */
  replace(next: Config): void {
    const previous = this.value;
    this.value = next;
    for (const fn of this.listeners) fn(next, previous);
  }

  /** Calls `fn` after every replace; returns the unsubscribe function. */
  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
