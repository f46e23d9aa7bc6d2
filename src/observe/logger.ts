import { pino, type Logger, type DestinationStream } from "pino";

export type { Logger };

/**
 * One JSON line per event (`event`, tenant, device, commit, code, ms). Export
 * text is never logged; redaction of credential-shaped keys is a second guard.
 */
export function createLogger(opts: { level?: string; destination?: DestinationStream | NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? "info",
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ["password", "*.password", "secret", "*.secret", "token", "*.token", "authorization", "*.authorization", "req.headers.authorization", "identity", "*.identity", "text", "*.text"],
        censor: "[redacted]",
      },
    },
    (opts.destination as DestinationStream | undefined) ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (unit tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
