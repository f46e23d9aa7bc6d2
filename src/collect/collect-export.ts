import { RosarchiveError, type Platform } from "../common/index.js";
import { checkExportOutput } from "./check-export-output.js";
import { openSshSession, type ExecOutput } from "./ssh-session.js";
import { DEFAULT_MAX_EXPORT_BYTES, type CollectOptions, type CollectResult, type SshTarget } from "./types.js";

/** The version probe prints one short line; anything longer is not a version. */
const VERSION_OUTPUT_CAP = 64 * 1024;

/**
 * One collection: one SSH connection, exec channels only. On first
 * contact (no known version) the version probe and the newest export form go
 * in one exec line when the platform allows (one answer, not two); a device
 * that refuses it gets the probe, then the export for its version. Throws a
 * RosarchiveError with an error code; never returns a truncated or failed
 * export. Messages never quote device output.
 */
export async function collectExport(target: SshTarget, opts: CollectOptions): Promise<CollectResult> {
  const now = opts.clock ?? Date.now;
  const started = now();
  const where = `${target.host}:${target.port}`;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_EXPORT_BYTES;
  const { platform } = opts;
  const open = () =>
    openSshSession(target, {
      pinnedFingerprint: opts.pinnedFingerprint,
      connectTimeoutMs: opts.connectTimeoutMs,
      ...(opts.signal && { signal: opts.signal }),
    });
  const session = await (opts.handshakes ? opts.handshakes.run(open) : open());
  const withWhere = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof RosarchiveError) throw new RosarchiveError(err.code, `${where}: ${err.message}`, err.data);
      throw err;
    }
  };
  try {
    const deadline = now() + opts.commandTimeoutMs;
    const left = () => ({ timeoutMs: Math.max(0, deadline - now()) });
    let version = opts.knownVersion ?? null;
    let out: ExecOutput | null = null;
    const first = version ? undefined : platform.commands.firstContact;
    if (first) {
      const both = await session.exec(first.command, { maxBytes, ...left() });
      if (!refusedWhole(both, platform)) {
        const split = splitVersionLine(both.stdout);
        version = split && platform.parseVersion(split.line);
        // Not a version first: the export check names what is wrong with the output, else say so.
        if (!version) {
          withWhere(() => checkExportOutput(both.stdout, both.exitCode, platform, maxBytes));
          throw new RosarchiveError("invalid_output", `${where}: the version probe printed no version`);
        }
        // A version that wants another export form than the one that ran: run that one.
        if (platform.commands.exportFor(version) === first.exportCommand) out = { ...both, stdout: split!.rest };
      }
    }
    if (!version) {
      const probe = await session.exec(platform.commands.version, { maxBytes: VERSION_OUTPUT_CAP, ...left() });
      if (probe.exitCode !== 0) {
        throw new RosarchiveError("invalid_output", `${where}: the version probe exited with ${probe.exitCode === null ? "no status" : `status ${probe.exitCode}`}`);
      }
      version = platform.parseVersion(probe.stdout.toString("utf8"));
      if (!version) throw new RosarchiveError("invalid_output", `${where}: the version probe printed no valid version (digits and dots, an optional alpha/beta/rc suffix)`);
    }
    out ??= await session.exec(platform.commands.exportFor(version), { maxBytes, ...left() });
    if (hasErrorLine(out.stderr, platform)) {
      throw new RosarchiveError("invalid_output", `${where}: the export command printed a RouterOS error message`);
    }
    const exported = out;
    const text = withWhere(() => checkExportOutput(exported.stdout, exported.exitCode, platform, maxBytes));
    return { text, version, fingerprint: session.fingerprint, bytes: out.stdout.length, ms: now() - started };
  } finally {
    session.close();
  }
}

function hasErrorLine(bytes: Buffer, platform: Platform): boolean {
  return bytes.toString("utf8").split(/\r\n|\r|\n/).some((l) => platform.errorLines.some((re) => re.test(l)));
}

/** A line the device refused before running any of it: short, an error line, no menu line. */
function refusedWhole(out: ExecOutput, platform: Platform): boolean {
  if (out.stdout.length > VERSION_OUTPUT_CAP) return false;
  const text = out.stdout.toString("utf8");
  return (hasErrorLine(out.stdout, platform) || hasErrorLine(out.stderr, platform)) && !platform.hasMenuLine(text);
}

/** The first line (the version) and the bytes after it; null when there is no short first line. */
function splitVersionLine(stdout: Buffer): { line: string; rest: Buffer } | null {
  const nl = stdout.indexOf(0x0a);
  if (nl < 0 || nl > 256) return null;
  return { line: stdout.subarray(0, nl).toString("utf8"), rest: stdout.subarray(nl + 1) };
}
